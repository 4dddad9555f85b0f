import EvalCore
import EvalOperator
import Foundation
import Synchronization

/// The queue as the forwarder sees it, with three additions the daemon needs:
/// the forwarder's heartbeat (busy from claim to settle), delivery counters
/// for metrics and status, and a drain switch so that on SIGTERM no new batch
/// is claimed while the batches already in flight finish.
final class InstrumentedOutbox: Outbox {
    private let base: any Outbox
    private let heartbeats: Heartbeats
    private let metrics: AgentMetrics
    private let board: StatusBoard
    private struct State {
        var inFlight = 0
        var draining = false
        /// `drain` waiting for the last claimed record to be settled.
        var drainWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

        /// The waiters to resume when nothing is in flight any more.
        mutating func idleWaiters() -> [CheckedContinuation<Void, Never>] {
            guard inFlight == 0 else { return [] }
            defer { drainWaiters.removeAll() }
            return Array(drainWaiters.values)
        }
    }
    private let state = Mutex(State())

    init(base: any Outbox, heartbeats: Heartbeats, metrics: AgentMetrics, board: StatusBoard) {
        self.base = base
        self.heartbeats = heartbeats
        self.metrics = metrics
        self.board = board
    }

    func claim(limit: Int, now: Date) async throws -> [OutboxRecord] {
        if state.withLock({ $0.draining }) { return [] }
        heartbeats.busy(.forwarder)
        let records: [OutboxRecord]
        do {
            records = try await base.claim(limit: limit, now: now)
        } catch {
            let waiters = state.withLock { $0.idleWaiters() }
            if state.withLock({ $0.inFlight == 0 }) { heartbeats.idle(.forwarder) }
            waiters.forEach { $0.resume() }
            throw error
        }
        let idle = state.withLock { s in
            s.inFlight += records.count
            return s.inFlight == 0
        }
        if idle { heartbeats.idle(.forwarder) }
        return records
    }

    func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws {
        defer {
            let (idle, waiters) = state.withLock { s in
                s.inFlight = max(0, s.inFlight - outcomes.count)
                return (s.inFlight == 0, s.idleWaiters())
            }
            if idle { heartbeats.idle(.forwarder) }
            waiters.forEach { $0.resume() }
        }
        try await base.settle(outcomes, now: now)
        metrics.recordOutcomes(outcomes)
        if outcomes.contains(where: { if case .delivered = $0 { true } else { false } }) {
            board.update(notify: false) { $0.lastDelivery = now }
        }
    }

    func release(_ ids: [EvaluationID]) async {
        await base.release(ids)
        let (idle, waiters) = state.withLock { s in
            s.inFlight = max(0, s.inFlight - ids.count)
            return (s.inFlight == 0, s.idleWaiters())
        }
        if idle { heartbeats.idle(.forwarder) }
        waiters.forEach { $0.resume() }
    }

    func redate(_ evaluations: [Evaluation]) async throws { try await base.redate(evaluations) }

    func nextDue() async throws -> Date? { try await base.nextDue() }

    func onPending(_ wake: @escaping @Sendable () -> Void) { base.onPending(wake) }

    /// Stops new claims; returns once every claimed record is settled (woken
    /// by the settle that left nothing in flight, not by polling) or the
    /// deadline passes (unsettled records are pending in the file anyway).
    /// The records still in flight.
    func drain(deadline: ContinuousClock.Instant) async -> Int {
        state.withLock { $0.draining = true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.settled() }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { $0.inFlight }
    }

    /// Returns when nothing is in flight, or when cancelled.
    private func settled() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.inFlight == 0 || Task.isCancelled { return true }
                    s.drainWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.drainWaiters.removeValue(forKey: id) }?.resume()
        }
    }
}
