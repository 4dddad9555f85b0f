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
            if state.withLock({ $0.inFlight == 0 }) { heartbeats.idle(.forwarder) }
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
            let idle = state.withLock { s in
                s.inFlight = max(0, s.inFlight - outcomes.count)
                return s.inFlight == 0
            }
            if idle { heartbeats.idle(.forwarder) }
        }
        try await base.settle(outcomes, now: now)
        metrics.recordOutcomes(outcomes)
        if outcomes.contains(where: { if case .delivered = $0 { true } else { false } }) {
            board.update(notify: false) { $0.lastDelivery = now }
        }
    }

    func redate(_ evaluations: [Evaluation]) async throws { try await base.redate(evaluations) }

    func nextDue() async throws -> Date? { try await base.nextDue() }

    func pendingSignals() -> AsyncStream<Void> { base.pendingSignals() }

    /// Stops new claims; returns once every claimed record is settled or the
    /// deadline passes (unsettled records become pending at the next start).
    func drain(deadline: ContinuousClock.Instant) async -> Int {
        state.withLock { $0.draining = true }
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.inFlight }) == 0 { return 0 }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state.withLock { $0.inFlight }
    }
}
