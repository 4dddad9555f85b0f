@testable import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// On SIGTERM the forwarder stops claiming and waits for what is on the wire:
/// woken by the settle that leaves nothing in flight (issue 27: no polling).
@Suite struct ForwarderDrainTests {
    static func outbox(_ directory: TemporaryDirectory) throws -> (EvaluationQueue, InstrumentedOutbox) {
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: directory.path("queue.db"), minFreeBytes: 0))
        return (queue, InstrumentedOutbox(base: queue, heartbeats: Heartbeats(), metrics: AgentMetrics(),
                                          board: StatusBoard(version: "test")))
    }

    @Test func aDrainEndsWhenTheLastRecordIsSettled() async throws {
        let directory = try TemporaryDirectory(prefix: "drain")
        defer { directory.remove() }
        let (queue, outbox) = try Self.outbox(directory)
        defer { queue.close() }
        let evaluation = SampleEvaluation.make()
        try await queue.enqueue(evaluation)
        let claimed = try await outbox.claim(limit: 10, now: Date())
        #expect(claimed.count == 1)

        // An hour's deadline: only the settle can end this drain in time.
        async let left = outbox.drain(deadline: .now + .seconds(3600))
        #expect(try await outbox.claim(limit: 10, now: Date()).isEmpty, "draining: no new claims")
        try await outbox.settle([.delivered(evaluation.evaluationId)], now: Date())
        #expect(await left == 0)
    }

    @Test func aDrainGivesUpAtItsDeadlineWithWhatIsLeft() async throws {
        let directory = try TemporaryDirectory(prefix: "drain")
        defer { directory.remove() }
        let (queue, outbox) = try Self.outbox(directory)
        defer { queue.close() }
        try await queue.enqueue(SampleEvaluation.make())
        _ = try await outbox.claim(limit: 10, now: Date())
        #expect(await outbox.drain(deadline: .now) == 1)
        #expect(await outbox.drain(deadline: .now) == 1, "a second drain (cancelled waiter removed) too")
    }

    @Test func anIdleDrainReturnsAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "drain")
        defer { directory.remove() }
        let (queue, outbox) = try Self.outbox(directory)
        defer { queue.close() }
        #expect(await outbox.drain(deadline: .now + .seconds(3600)) == 0)
    }
}
