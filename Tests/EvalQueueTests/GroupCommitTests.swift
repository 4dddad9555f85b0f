import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("Group commit")
struct GroupCommitTests {
    @Test func concurrentEnqueuesShareTransactionsAndAllArrive() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<64 {
                group.addTask {
                    for _ in 0..<20 { try await queue.enqueue(SampleEvaluation.make(window: "W\(producer)")) }
                }
            }
            try await group.waitForAll()
        }
        let statistics = queue.writerStatistics
        #expect(statistics.operations == 64 * 20)
        #expect(statistics.transactions < statistics.operations)
        #expect(statistics.largestBatch > 1)
        #expect(try queue.snapshot().count(.pending) == 64 * 20)
    }

    @Test func aLoneEnqueueIsCommittedInItsOwnTransactionAtOnce() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        // A writer that waited for company (a batch size, a timer) would leave this
        // lone enqueue hanging or delayed; here it returns in its own transaction.
        // Its own transaction of one is the behaviour; how fast is for the benchmark.
        try await queue.enqueue(SampleEvaluation.make())
        #expect(queue.writerStatistics == WriterStatistics(transactions: 1, operations: 1, largestBatch: 1))
    }

    @Test func aClosedQueueRefusesWork() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        queue.close()
        await #expect(throws: QueueError.closed) { try await queue.enqueue(SampleEvaluation.make()) }
    }

    /// A committed batch handed to the next producer to free (the writer went
    /// on to the next batch) never outlives the writer: whoever frees it —
    /// a producer, the idle writer, or the stop — nothing of it is kept.
    @Test func aHandedOverBatchIsReleasedByTheTimeTheWriterStops() async throws {
        final class Token: Sendable {}
        final class WeakToken: @unchecked Sendable { weak var token: Token? }
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        let (finished, finish) = AsyncStream.makeStream(of: Void.self)

        let first = PipelineGroupCommitTests.WriterStall(queue)
        try await first.engaged()
        var probes: [WeakToken] = []
        for _ in 0..<10 {
            let token = Token()
            let probe = WeakToken()
            probe.token = token
            probes.append(probe)
            queue.writer.submit({ _ in _ = token }, eager: true) { _ in finish.yield() }
        }
        // The tokens' batch ends in a second stall, and one more operation
        // waits behind it: when that batch commits, work is waiting, so the
        // writer hands the batch over instead of freeing it.
        let second = PipelineGroupCommitTests.WriterStall(queue)
        first.release()
        try await second.engaged()
        queue.writer.submit({ _ in }, eager: true) { _ in finish.yield() }
        second.release()
        var count = 0
        for await _ in finished {
            count += 1
            if count == 11 { break }
        }
        queue.close()
        #expect(probes.allSatisfy { $0.token == nil })
    }
}
