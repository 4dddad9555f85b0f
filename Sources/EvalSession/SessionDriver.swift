import EvalCore
import EvalQueue
import Foundation
import Synchronization

/// What a `SessionDriver` tells the agent around it: the daemon counts, logs,
/// alerts and reports these; a test or the crash probe records them.
public protocol SessionDriverObserver: Sendable {
    /// Durably queued (with its ledger rows): acknowledged.
    func stored(_ evaluation: Evaluation, result: EnqueueResult)
    /// The queue refused it (cap, disk full, I/O): NOT stored.
    func refused(_ evaluation: Evaluation, error: any Error)
    func filtered(_ press: FilteredPress)
    func caseOpened(_ opening: CaseOpening, due: DefaultRatingScheduler.Due)
    /// A case or filtered press could not be written (the press or scan itself
    /// is not a rating, so nothing acknowledged was lost; the agent must say so).
    func writeFailed(_ what: String, error: any Error)
    /// The store could not say whether a case was rated: presses for it fail closed.
    func ledgerUnavailable(projectNo: String, error: any Error)
    /// A default pass: what it queued, repaired and could not queue.
    func defaultsApplied(_ pass: DefaultPass)
    func log(_ event: SessionEvent)
    /// Prompt a window's evaluator now: `invite` and `timeout` as the session
    /// returns them, `thanks` once its rating is durable (never for a refused one).
    func prompt(_ prompt: WindowPrompt)
}

extension SessionDriverObserver {
    /// Observers without evaluators to prompt (the crash probe, store tests).
    public func prompt(_ prompt: WindowPrompt) {}
}

/// The one code path that turns a counter session's `SessionAction`s into
/// store operations: the daemon's pipeline, the crash probe and the store
/// tests all run this type, so what the tests show is what the daemon does.
///
/// - `.emit` commits the evaluation and its ledger rows (case rated,
///   bad-review line) in one transaction; `perform` waits for it, `submit`
///   (the daemon's pipeline) reports it when durable and goes on at once, so
///   consecutive inputs share a commit. Errors reach the observer as a
///   refusal, never as a silent drop; only a durable one is "stored".
/// - `.openCase` and `.filtered` join the group commit without holding up the
///   next input; the writer keeps their order ahead of later writes.
/// - Case lookups fail closed (`caseState(for:)`).
public struct SessionDriver: Sendable {
    public let store: EvaluationQueue
    public let scheduler: DefaultRatingScheduler
    public let badReviewPolicy: BadReviewPolicy
    public let observer: any SessionDriverObserver

    public init(store: EvaluationQueue, scheduler: DefaultRatingScheduler, badReviewPolicy: BadReviewPolicy,
                observer: any SessionDriverObserver) {
        self.store = store
        self.scheduler = scheduler
        self.badReviewPolicy = badReviewPolicy
        self.observer = observer
    }

    /// The ledger's knowledge of a scanned case, for `CounterSession.receive`.
    /// A read error yields `.unavailable`: the session then keeps presses for
    /// the case as filtered (`ledger-unavailable`) rather than risk a second rating.
    public func caseState(for scan: Scan) async -> CaseLedgerState {
        guard case .caseReceipt(let ticket) = scan else { return .unknown }
        do {
            return try await store.caseState(of: ticket.projectNo)
        } catch {
            observer.ledgerUnavailable(projectNo: ticket.projectNo, error: error)
            return .unavailable
        }
    }

    /// Performs `actions` in order and returns once every evaluation among
    /// them is durable (or refused): the evaluations durably stored.
    @discardableResult
    public func perform(_ actions: [SessionAction], defaultRatings: Bool = true) async -> [Evaluation] {
        await withCheckedContinuation { continuation in
            submit(actions, defaultRatings: defaultRatings) { continuation.resume(returning: $0) }
        }
    }

    /// Performs `actions` in order without waiting for the disk: the
    /// evaluations are submitted to the store's writer (which keeps their
    /// order), so the caller can take its next input while this one's commit
    /// is under way, and inputs arriving meanwhile share one commit.
    /// `whenStored` runs once, on the writer thread, after the last evaluation
    /// of `actions` is durable or refused, with those durably stored (in
    /// action order); at once when there are none. The daemon's pipeline runs
    /// this; `perform` is the same path, awaited.
    public func submit(_ actions: [SessionAction], defaultRatings: Bool = true,
                       whenStored: @escaping @Sendable ([Evaluation]) -> Void) {
        let emitted = actions.reduce(0) { count, action in
            if case .emit = action { return count + 1 }
            return count
        }
        // A scan emits nothing: no gathering to allocate, told at the end.
        let gathering = emitted == 0 ? nil : StoredGathering(expected: emitted, whenStored: reporting(actions, to: whenStored))
        let observer = self.observer
        var slot = 0
        for action in actions {
            switch action {
            case .emit(let evaluation):
                let index = slot
                slot += 1
                accept(evaluation) { stored in gathering?.finished(index, stored ? evaluation : nil) }
            case .filtered(let press):
                observer.filtered(press)
                store.submitFiltered(press) { result in
                    if case .failure(let error) = result { observer.writeFailed("filtered press on \(press.deviceId)", error: error) }
                }
            case .openCase(let opening):
                guard defaultRatings else { continue }
                let due = scheduler.due(openedAt: opening.openedAt)
                if !due.uncoveredYears.isEmpty {
                    observer.log(SessionEvent(.warning, "case \(opening.ticket.projectNo): no working-day calendar for \(due.uncoveredYears.map(String.init).joined(separator: ", ")); its default-rating date counts Monday–Friday only; install the State Council calendar file"))
                }
                store.submitOpenCase(opening, due: due) { result in
                    switch result {
                    case .success: observer.caseOpened(opening, due: due)
                    case .failure(let error): observer.writeFailed("case \(opening.ticket.projectNo)", error: error)
                    }
                }
            case .prompt(let prompt):
                if prompt.prompt != .thanks { observer.prompt(prompt) }
            case .log(let event):
                observer.log(event)
            case .attachReason(let pick):
                // After the rating's insert, which an earlier input submitted
                // to the same writer. A failure loses only the reason: the
                // evaluation is sent when its hold ends.
                let store = self.store
                Task {
                    do {
                        _ = try await store.attachDetail(to: pick.evaluationId, evalDetail: pick.codes.isEmpty ? nil : pick.codes,
                                                         writingEvaluation: nil)
                    } catch {
                        observer.writeFailed("reason of \(pick.evaluationId)", error: error)
                    }
                }
            }
        }
        if gathering == nil { whenStored([]) }
    }

    /// `whenStored`, preceded by the thanks prompts among `actions` when a
    /// rating was durably stored (never for a refused one).
    private func reporting(_ actions: [SessionAction], to whenStored: @escaping @Sendable ([Evaluation]) -> Void)
        -> @Sendable ([Evaluation]) -> Void {
        let thanks = actions.compactMap { action -> WindowPrompt? in
            if case .prompt(let prompt) = action, prompt.prompt == .thanks { return prompt }
            return nil
        }
        let observer = self.observer
        return { stored in
            if !stored.isEmpty {
                for prompt in thanks { observer.prompt(prompt) }
            }
            whenStored(stored)
        }
    }

    /// Queues `evaluation` with its ledger rows in one transaction. True once
    /// durable; false (and `refused`) when the queue would not take it.
    public func accept(_ evaluation: Evaluation) async -> Bool {
        await withCheckedContinuation { continuation in
            accept(evaluation) { continuation.resume(returning: $0) }
        }
    }

    /// The same, without waiting: `completion` (on the writer thread) is told
    /// whether it is durable; the observer hears `stored` or `refused` first.
    public func accept(_ evaluation: Evaluation, completion: @escaping @Sendable (Bool) -> Void) {
        let rows: CaseLedgerUpdate
        do {
            rows = try CaseLedgerUpdate(evaluation, badReviewPolicy: badReviewPolicy)
        } catch {
            observer.refused(evaluation, error: error)
            return completion(false)
        }
        let observer = observer
        store.submit(evaluation, ledger: rows) { result in
            switch result {
            case .success(let result):
                observer.stored(evaluation, result: result)
                completion(true)
            case .failure(let error):
                observer.refused(evaluation, error: error)
                completion(false)
            }
        }
    }

    /// One default pass (rule 3). Returns when the next pass should run: the
    /// next due time, or within a minute when a default was refused or the
    /// store could not be read (the case stays due; nothing is lost).
    public func applyDueDefaults(now: Date) async -> Date? {
        let pass = await store.applyDueDefaults(at: now)
        observer.defaultsApplied(pass)
        let retry = now.addingTimeInterval(60)
        guard pass.readError != nil || !pass.refused.isEmpty else { return pass.nextDue }
        // The refused case is itself due now: wait for the retry, not for it.
        if let due = pass.nextDue, due > now { return min(due, retry) }
        return retry
    }
}

/// Collects the outcomes of one `submit`'s evaluations (they complete on the
/// writer thread, in order) and reports them once, when the last is in.
private final class StoredGathering: Sendable {
    private struct State {
        var outcomes: [Evaluation?]
        var left: Int
    }

    private let state: Mutex<State>
    private let whenStored: @Sendable ([Evaluation]) -> Void

    init(expected: Int, whenStored: @escaping @Sendable ([Evaluation]) -> Void) {
        state = Mutex(State(outcomes: Array(repeating: nil, count: expected), left: expected))
        self.whenStored = whenStored
    }

    func finished(_ index: Int, _ stored: Evaluation?) {
        let complete: [Evaluation]? = state.withLock { state in
            state.outcomes[index] = stored
            state.left -= 1
            return state.left == 0 ? state.outcomes.compactMap { $0 } : nil
        }
        if let complete { whenStored(complete) }
    }
}
