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
}
