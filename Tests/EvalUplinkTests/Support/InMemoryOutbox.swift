import EvalCore
import Foundation

/// A fake outbox with the queue's contract (claim moves to in flight, bad
/// reviews first then oldest, settle, nextDue, onPending) kept in memory.
/// For this module's tests only; the SQLite queue is the real one.
final class InMemoryOutbox: Outbox, @unchecked Sendable {
    struct Entry {
        var evaluation: Evaluation
        var attempts = 0
        var notBefore: Date
        var inFlight = false
        var sequence: Int
    }

    private let lock = NSLock()
    private var pending: [EvaluationID: Entry] = [:]
    private(set) var deliveredIds: [EvaluationID] = []
    private(set) var deadLetters: [EvaluationID: String] = [:]
    private var sequence = 0
    private var wakes: [@Sendable () -> Void] = []
    /// Every claim's size, to check batching.
    private(set) var claimSizes: [Int] = []
    /// Settles still to refuse (a full disk), releasing their claims as the
    /// SQLite queue does: the records stay pending, due as before.
    var settlesToRefuse = 0

    struct DiskFull: Error {}

    func enqueue(_ evaluations: [Evaluation], at now: Date = Date()) {
        let toWake = lock.withLock { () -> [@Sendable () -> Void] in
            for evaluation in evaluations {
                sequence += 1
                pending[evaluation.evaluationId] = Entry(evaluation: evaluation, notBefore: now, sequence: sequence)
            }
            return wakes
        }
        for wake in toWake { wake() }
    }

    func claim(limit: Int, now: Date) async throws -> [OutboxRecord] {
        lock.withLock {
            let due = pending.values
                .filter { !$0.inFlight && $0.notBefore <= now }
                .sorted { a, b in
                    if a.evaluation.isBadReview != b.evaluation.isBadReview { return a.evaluation.isBadReview }
                    return a.sequence < b.sequence
                }
                .prefix(limit)
            for entry in due { pending[entry.evaluation.evaluationId]?.inFlight = true }
            if !due.isEmpty { claimSizes.append(due.count) }
            return due.map { OutboxRecord(evaluation: $0.evaluation, attempts: $0.attempts) }
        }
    }

    func release(_ ids: [EvaluationID]) async {
        lock.withLock { for id in ids { pending[id]?.inFlight = false } }
    }

    func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws {
        let refused = lock.withLock { () -> Bool in
            guard settlesToRefuse > 0 else { return false }
            settlesToRefuse -= 1
            for outcome in outcomes { pending[outcome.evaluationId]?.inFlight = false }
            return true
        }
        if refused { throw DiskFull() }
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            for outcome in outcomes {
                switch outcome {
                case .delivered(let id):
                    if pending.removeValue(forKey: id) != nil { deliveredIds.append(id) }
                case .rejected(let id, let reason):
                    if pending.removeValue(forKey: id) != nil { deadLetters[id] = reason }
                case .retry(let id, _, let notBefore, _):
                    pending[id]?.inFlight = false
                    pending[id]?.attempts += 1
                    pending[id]?.notBefore = notBefore
                }
            }
            let ready = deliveredWaiters.filter { deliveredIds.count >= $0.count }
            deliveredWaiters.removeAll { deliveredIds.count >= $0.count }
            return ready.map(\.continuation)
        }
        waiters.forEach { $0.resume() }
    }

    private var deliveredWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Returns once at least `count` records are delivered (a suspension, not a poll).
    func waitForDelivered(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock {
                if deliveredIds.count >= count { return true }
                deliveredWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// The last re-dated copy of each record, kept after delivery.
    private var redated: [EvaluationID: Evaluation] = [:]

    func redate(_ evaluations: [Evaluation]) async throws {
        lock.withLock {
            for evaluation in evaluations where pending[evaluation.evaluationId] != nil {
                pending[evaluation.evaluationId]?.evaluation = evaluation
                redated[evaluation.evaluationId] = evaluation
            }
        }
    }

    /// The record as stored now (pending), or as last re-dated.
    func stored(_ id: EvaluationID) -> Evaluation? {
        lock.withLock { pending[id]?.evaluation ?? redated[id] }
    }

    func nextDue() async throws -> Date? {
        lock.withLock { pending.values.filter { !$0.inFlight }.map(\.notBefore).min() }
    }

    func onPending(_ wake: @escaping @Sendable () -> Void) {
        lock.withLock { wakes.append(wake) }
    }

    var pendingCount: Int { lock.withLock { pending.count } }
    var delivered: [EvaluationID] { lock.withLock { deliveredIds } }
    var dead: [EvaluationID: String] { lock.withLock { deadLetters } }
    var maxAttempts: Int { lock.withLock { pending.values.map(\.attempts).max() ?? 0 } }
}
