import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("Crash recovery and damaged files")
struct RecoveryTests {
    @Test func inflightRecordsArePendingAgainAfterReopen() async throws {
        let fixture = try QueueFixture()
        let evaluation = SampleEvaluation.make(rating: .veryDissatisfied)
        do {
            let queue = try fixture.open()
            try await queue.enqueue(evaluation)
            #expect(try await queue.claim(limit: 1, now: fixture.now).count == 1)
            queue.close()
        }
        let queue = try fixture.open()
        defer { queue.close() }
        #expect(try queue.record(evaluation.evaluationId)?.state == .pending)
        #expect(try await queue.claim(limit: 1, now: fixture.now) == [OutboxRecord(evaluation: evaluation, attempts: 0)])
    }

    @Test func aFileWithBytesOverwrittenIsMovedAsideAndAFreshQueueStarts() async throws {
        let fixture = try QueueFixture()
        do {
            let queue = try fixture.open()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<8 {
                    group.addTask {
                        for _ in 0..<250 { try await queue.enqueue(SampleEvaluation.make(window: "W\(producer)", realName: true)) }
                    }
                }
                try await group.waitForAll()
            }
            queue.close()
        }
        // Everything into the main file, then damage its middle.
        try Connection(path: fixture.path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: fixture.path))
        let size = try handle.seekToEnd()
        #expect(size > 200_000)
        try handle.seek(toOffset: (size / 2) / 4096 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8 * 4096))
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: fixture.path))

        let queue = try fixture.open()
        defer { queue.close() }

        let aside = try fixture.files(startingWith: "queue.sqlite3.corrupt-").filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        #expect(aside.count == 1)
        let kept = try Data(contentsOf: fixture.directory.url.appendingPathComponent(try #require(aside.first)))
        #expect(kept == damaged)
        #expect(try queue.snapshot().total == 0)
        #expect(try await queue.enqueue(SampleEvaluation.make()) == .enqueued)
        #expect(try queue.snapshot().count(.pending) == 1)
    }

    @Test func aFileThatIsNotADatabaseIsMovedAside() async throws {
        let fixture = try QueueFixture()
        let garbage = Data(String(repeating: "not a queue, a text file\n", count: 400).utf8)
        try garbage.write(to: URL(fileURLWithPath: fixture.path))

        let queue = try fixture.open()
        defer { queue.close() }

        let aside = try fixture.files(startingWith: "queue.sqlite3.corrupt-").filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        try #require(aside.count == 1)
        #expect(try Data(contentsOf: fixture.directory.url.appendingPathComponent(aside[0])) == garbage)
        #expect(try await queue.enqueue(SampleEvaluation.make()) == .enqueued)
    }

    @Test func aHealthyFileIsReopenedWithItsRecordsAndCounters() async throws {
        let fixture = try QueueFixture()
        let evaluation = SampleEvaluation.make(realName: true)
        do {
            let queue = try fixture.open()
            try await queue.enqueue(evaluation)
            queue.close()
        }
        // The pending counters are reloaded from the file: one record fills a cap of one.
        let queue = try fixture.open(fixture.configuration(maxPendingRecords: 1))
        defer { queue.close() }
        #expect(try queue.record(evaluation.evaluationId)?.evaluation == evaluation)
        #expect(try fixture.files(startingWith: "queue.sqlite3.corrupt-").isEmpty)
        await #expect(throws: QueueError.full) { try await queue.enqueue(SampleEvaluation.make()) }
    }
}
