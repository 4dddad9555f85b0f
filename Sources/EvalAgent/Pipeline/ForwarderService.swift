import EvalCore
import EvalOperator
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// Runs the uplink forwarder. On graceful shutdown it stops claiming, lets the
/// requests in flight finish (bounded), then cancels the forwarder: nothing is
/// cut off mid-request unless the platform hangs past the deadline, and even
/// then the records stay in the queue (in flight → pending at next start; the
/// platform answers a repeat as `duplicate`).
struct ForwarderService: Service {
    let forwarder: Forwarder
    let outbox: InstrumentedOutbox
    let board: StatusBoard
    let drainLimit: Duration
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            group.addTask {
                // Mirror the forwarder's status into the board for evalctl when
                // it changes (an answer, a clock judgement): no periodic copy.
                publishStatus()
                for await _ in forwarder.statusChanges { publishStatus() }
            }
            group.addTask {
                try await gracefulShutdown()
                let left = await outbox.drain(deadline: .now + drainLimit)
                if left > 0 { logger.warning("\(left) record(s) still in flight at shutdown; they are sent again at the next start") }
                publishStatus()
                throw ShutdownDrained()
            }
            do {
                try await group.next()
            } catch is ShutdownDrained {
            } catch is CancellationError {
            }
            group.cancelAll()
        }
    }

    private func publishStatus() {
        // The forwarder's status is read under the board's lock, so of two
        // publishers racing (a change, the shutdown copy) the later read wins.
        board.updateIfNews({ s in
            let status = forwarder.status
            let before = (s.lastDelivery, s.lastErrorAt)
            // A new clock judgement, credentials state, delivery or error is news: write the status file.
            var news = s.clock?.state != status.clock.state || s.platformAuthFailing != status.authFailing
            s.clockState = status.clock.detail
            s.clock = status.clock
            s.platformAuthFailing = status.authFailing
            if let last = status.lastDeliveryAt { s.lastDelivery = max(last, s.lastDelivery ?? last) }
            if let error = status.lastError, let at = status.lastErrorAt, at > (s.lastErrorAt ?? .distantPast) {
                s.lastError = error
                s.lastErrorAt = at
            }
            news = news || s.lastDelivery != before.0 || s.lastErrorAt != before.1
            return news
        })
    }

    private struct ShutdownDrained: Error {}
}
