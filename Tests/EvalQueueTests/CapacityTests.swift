import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("Bounded queue: caps, disk space, pruning")
struct CapacityTests {
    /// Issue 24: a chattering keypad's filtered presses (and case scans) stop
    /// at the same free-space floor as ratings, so they cannot fill the disk
    /// until real ratings are refused.
    @Test func theFreeSpaceFloorGuardsFilteredPressesAndCaseOpenings() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(minFreeBytes: Int64.max / 2))
        defer { queue.close() }
        let press = FilteredPress(rating: .satisfied, deviceId: "kbd", windowCode: "W01", pressedAt: fixture.now, reason: .bounce)
        await #expect(throws: QueueError.full) { try await queue.recordFiltered(press) }
        let opening = CaseOpening(ticket: CaseTicket(projectNo: "MS-2026-FULL-1"), window: WindowConfiguration(areaCode: "533103", windowCode: "W01"),
                                  staff: [], openedAt: fixture.now)
        let refused: Result<Bool, any Error> = await withCheckedContinuation { continuation in
            queue.submitOpenCase(opening, due: DefaultRatingScheduler(calendar: .mondayToFriday).due(openedAt: fixture.now)) {
                continuation.resume(returning: $0)
            }
        }
        #expect((try? refused.get()) == nil)
        #expect(try await queue.caseState(of: "MS-2026-FULL-1") == .unknown)

        // With room, the same writes go through.
        let roomy = try QueueFixture()
        let open = try roomy.open(roomy.configuration(minFreeBytes: 0))
        defer { open.close() }
        try await open.recordFiltered(press)
    }

    @Test func theCapRefusesThenAcceptsAgainAfterDeliveryAndPruning() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(maxPendingRecords: 3, deliveredRetentionDays: 1, pruneBatchSize: 2))
        defer { queue.close() }
        var stored: [Evaluation] = []
        for _ in 0..<3 {
            let evaluation = SampleEvaluation.make()
            try await queue.enqueue(evaluation)
            stored.append(evaluation)
        }

        let refused = SampleEvaluation.make()
        await #expect(throws: QueueError.full) { try await queue.enqueue(refused) }
        #expect(try queue.record(refused.evaluationId) == nil)
        // Nothing older was dropped to make room, and a repeat is still "stored once".
        #expect(try queue.snapshot().count(.pending) == 3)
        #expect(try await queue.enqueue(stored[0]) == .duplicate)

        let claimed = try await queue.claim(limit: 3, now: fixture.now)
        #expect(claimed.count == 3)
        await #expect(throws: QueueError.full) { try await queue.enqueue(refused) }  // in flight still counts
        try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: fixture.now)
        #expect(try await queue.enqueue(refused) == .enqueued)

        // Delivered records stay for audit until the retention passes, then go in batches.
        #expect(try await queue.prune(now: fixture.now.addingTimeInterval(3600)).deleted == 0)
        let result = try await queue.prune(now: fixture.now.addingTimeInterval(86_400 + 1))
        #expect(result.deleted == 3)
        #expect(try queue.snapshot().counts == [.pending: 1])
        for _ in 0..<2 { try await queue.enqueue(SampleEvaluation.make()) }
        await #expect(throws: QueueError.full) { try await queue.enqueue(SampleEvaluation.make()) }
    }

    @Test func theByteCapRefusesLargeBacklogs() async throws {
        let fixture = try QueueFixture()
        let one = StoredEvaluation(SampleEvaluation.make()).recordBytes
        let queue = try fixture.open(fixture.configuration(maxPendingBytes: one * 2 + one / 2))
        defer { queue.close() }
        try await queue.enqueue(SampleEvaluation.make())
        try await queue.enqueue(SampleEvaluation.make())
        let error = await #expect(throws: QueueError.full) { try await queue.enqueue(SampleEvaluation.make()) }
        #expect(error?.message.contains("bytes") == true)
    }

    @Test func tooLittleFreeDiskSpaceRefuses() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(minFreeBytes: Int64.max / 2))
        defer { queue.close() }
        let error = await #expect(throws: QueueError.full) { try await queue.enqueue(SampleEvaluation.make()) }
        #expect(error?.message.contains("free") == true)
        #expect(try queue.snapshot().total == 0)
    }

    @Test func sqliteFullSurfacesClearlyAndTheQueueRecovers() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        try await queue.enqueue(SampleEvaluation.make())
        // Simulate a full disk: cap the file at its current size.
        let pages = try await queue.writer.perform { context in
            try context.connection.scalar("PRAGMA page_count", as: Int.self) ?? 0
        }
        try await queue.writer.perform { context in
            _ = try context.connection.scalar("PRAGMA max_page_count = \(pages)", as: Int.self)
        }

        var refusedAt: Int?
        for index in 0..<5_000 {
            do {
                try await queue.enqueue(SampleEvaluation.make(projectNo: String(repeating: "X", count: 2_000)))
            } catch let error as QueueError {
                #expect(error.isDiskFull)
                #expect(error.message.contains("disk full"))
                refusedAt = index
                break
            }
        }
        let failedAfter = try #require(refusedAt)
        #expect(try queue.snapshot().total == 1 + failedAfter)

        try await queue.writer.perform { context in
            _ = try context.connection.scalar("PRAGMA max_page_count = 1073741823", as: Int.self)
        }
        #expect(try await queue.enqueue(SampleEvaluation.make()) == .enqueued)
        #expect(try queue.snapshot().total == 2 + failedAfter)
    }

    @Test func pruneWorksInSmallTransactions() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(deliveredRetentionDays: 1, pruneBatchSize: 7))
        defer { queue.close() }
        for _ in 0..<30 { try await queue.enqueue(SampleEvaluation.make()) }
        let claimed = try await queue.claim(limit: 30, now: fixture.now)
        try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: fixture.now)
        let before = queue.writerStatistics.transactions

        let result = try await queue.prune(now: fixture.now.addingTimeInterval(2 * 86_400))

        #expect(result.deleted == 30)
        #expect(try queue.snapshot().total == 0)
        // 30 rows in batches of 7: five deletes (the last finds 2), each its own transaction.
        #expect(queue.writerStatistics.transactions - before >= 5)
    }
}

/// Issue 27: a full disk refuses every press; one critical line per cause a
/// minute says so, not one per press.
@Suite struct LoudLinesTests {
    @Test func oneLinePerCauseAMinuteCountingTheRest() {
        let loud = LoudLines(interval: .seconds(60))
        let start = ContinuousClock.Instant.now
        #expect(loud.admit("disk full", now: start) == 0)
        for second in 1...59 { #expect(loud.admit("disk full", now: start.advanced(by: .seconds(second))) == nil) }
        #expect(loud.admit("free space", now: start.advanced(by: .seconds(30))) == 0, "another cause has its own minute")
        #expect(loud.admit("disk full", now: start.advanced(by: .seconds(60))) == 59)
        #expect(LoudLines.line("disk full", suppressed: 59).contains("59 more"))
        #expect(LoudLines.line("disk full", suppressed: 0) == "disk full")
    }

    @Test func aFullQueueLogsOnceForABurstOfRefusals() async throws {
        let fixture = try QueueFixture()
        let logs = CapturedLogs()
        let queue = try EvaluationQueue(configuration: fixture.configuration(minFreeBytes: Int64.max / 2), clock: fixture.clock, logger: logs.logger)
        defer { queue.close() }
        for _ in 0..<50 {
            await #expect(throws: QueueError.full) { try await queue.enqueue(SampleEvaluation.make()) }
        }
        let critical = logs.messages.filter { $0.hasPrefix("critical") }
        #expect(critical.count == 1, "\(critical)")
    }
}
