import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Synchronization
import Testing

@Suite("Record life: pending (claimed in memory) → delivered / rejected")
struct LifecycleTests {
    @Test func enqueueStoresAPendingRecordWithEveryField() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make(rating: .dissatisfied, projectNo: "BJ2026-001", realName: true)

        #expect(try await queue.enqueue(evaluation) == .enqueued)

        let record = try #require(try queue.record(evaluation.evaluationId))
        #expect(record.state == .pending)
        #expect(record.attempts == 0)
        #expect(record.enqueuedAt == fixture.now)
        #expect(record.nextAttemptAt == fixture.now)
        #expect(record.evaluation == evaluation)
        #expect(record.evaluation.evaluator?.certKey.revealed == "533103199001011234")
        #expect(record.deliveredAt == nil && record.rejectedReason == nil && record.lastError == nil)
    }

    @Test func theSameEvaluationTwiceIsStoredOnce() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make()

        #expect(try await queue.enqueue(evaluation) == .enqueued)
        #expect(try await queue.enqueue(evaluation) == .duplicate)
        // Concurrently too: the two land in one group transaction.
        let other = SampleEvaluation.make()
        async let first = queue.enqueue(other)
        async let second = queue.enqueue(other)
        let results = try await [first, second]
        #expect(results.sorted { "\($0)" < "\($1)" } == [.duplicate, .enqueued])

        #expect(try queue.snapshot().total == 2)
    }

    /// The claim is the forwarder's, in memory: the file keeps the record
    /// pending (a crash would return it anyway), and no commit is spent.
    @Test func aClaimIsHeldInMemoryOnceAndReleasedBySettle() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make(realName: true)
        try await queue.enqueue(evaluation)

        let claimed = try await queue.claim(limit: 10, now: fixture.now)
        #expect(claimed == [OutboxRecord(evaluation: evaluation, attempts: 0)])
        #expect(try queue.record(evaluation.evaluationId)?.state == .pending)
        #expect(try queue.record(evaluation.evaluationId)?.claimedAt == nil)
        #expect(try await queue.claim(limit: 10, now: fixture.now).isEmpty)
        // A failed attempt releases it, due again from its next attempt.
        try await queue.settle([.retry(evaluation.evaluationId, error: "reset", notBefore: fixture.now)], now: fixture.now)
        #expect(try await queue.claim(limit: 10, now: fixture.now) == [OutboxRecord(evaluation: evaluation, attempts: 1)])
        // A reopened queue (a crash) has no claims: the record is there to send.
        queue.close()
        let reopened = try fixture.open()
        defer { reopened.close() }
        #expect(try await reopened.claim(limit: 10, now: fixture.now).count == 1)
    }

    @Test func deliveredRecordsKeepTheirDeliveryTime() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make()
        try await queue.enqueue(evaluation)
        _ = try await queue.claim(limit: 1, now: fixture.now)
        fixture.clock.advance(by: 2)

        try await queue.settle([.delivered(evaluation.evaluationId)], now: fixture.now)

        let record = try #require(try queue.record(evaluation.evaluationId))
        #expect(record.state == .delivered)
        #expect(record.deliveredAt == fixture.now)
        #expect(record.claimedAt == nil)
        #expect(try queue.lastDeliveryTime() == fixture.now)
        #expect(try await queue.claim(limit: 10, now: fixture.now.addingTimeInterval(3600)).isEmpty)
        // A late second answer for the same record changes nothing.
        try await queue.settle([.rejected(evaluation.evaluationId, reason: "late")], now: fixture.now)
        #expect(try queue.record(evaluation.evaluationId)?.state == .delivered)
    }

    @Test func rejectedBecomesADeadLetterThatAnOperatorCanRetry() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make()
        try await queue.enqueue(evaluation)
        _ = try await queue.claim(limit: 1, now: fixture.now)

        try await queue.settle([.rejected(evaluation.evaluationId, reason: "areaCode unknown")], now: fixture.now)
        var record = try #require(try queue.record(evaluation.evaluationId))
        #expect(record.state == .rejected)
        #expect(record.rejectedReason == "areaCode unknown")
        #expect(record.rejectedAt == fixture.now)
        #expect(try queue.lastError()?.message == "areaCode unknown")
        #expect(try await queue.claim(limit: 10, now: fixture.now).isEmpty)

        fixture.clock.advance(by: 60)
        try await queue.retry(evaluation.evaluationId, now: fixture.now, by: .tester)
        record = try #require(try queue.record(evaluation.evaluationId))
        #expect(record.state == .pending)
        #expect(record.rejectedReason == nil)
        #expect(record.lastError == "areaCode unknown")
        #expect(try await queue.claim(limit: 10, now: fixture.now).map(\.evaluation.evaluationId) == [evaluation.evaluationId])

        await #expect(throws: QueueError.wrongState) { try await queue.retry(evaluation.evaluationId, now: fixture.now, by: .tester) }
        await #expect(throws: QueueError.notFound) { try await queue.retry(EvaluationID.make(), now: fixture.now, by: .tester) }
    }

    @Test func retryOutcomeWaitsForItsNextAttemptTime() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make()
        try await queue.enqueue(evaluation)
        _ = try await queue.claim(limit: 1, now: fixture.now)
        let notBefore = fixture.now.addingTimeInterval(60)

        try await queue.settle([.retry(evaluation.evaluationId, error: "HTTP 503", notBefore: notBefore)], now: fixture.now)

        let record = try #require(try queue.record(evaluation.evaluationId))
        #expect(record.state == .pending)
        #expect(record.attempts == 1)
        #expect(record.lastError == "HTTP 503")
        #expect(record.nextAttemptAt == notBefore)
        #expect(try await queue.nextDue() == notBefore)
        #expect(try await queue.claim(limit: 10, now: notBefore.addingTimeInterval(-1)).isEmpty)
        let again = try await queue.claim(limit: 10, now: notBefore)
        #expect(again == [OutboxRecord(evaluation: evaluation, attempts: 1)])
    }

    @Test func badReviewsAreClaimedFirstThenEnqueueOrder() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let ratings: [Rating] = [.verySatisfied, .veryDissatisfied, .satisfied, .basicallySatisfied, .dissatisfied, .verySatisfied]
        var ids: [EvaluationID] = []
        for rating in ratings {
            let evaluation = SampleEvaluation.make(rating: rating)
            try await queue.enqueue(evaluation)
            ids.append(evaluation.evaluationId)
        }

        let firstTwo = try await queue.claim(limit: 2, now: fixture.now).map(\.evaluation.evaluationId)
        #expect(firstTwo == [ids[1], ids[4]])
        let rest = try await queue.claim(limit: 10, now: fixture.now).map(\.evaluation.evaluationId)
        #expect(rest == [ids[0], ids[2], ids[3], ids[5]])
    }

    @Test func dropRemovesARecordAndReturnsItForTheAuditLog() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let evaluation = SampleEvaluation.make(rating: .dissatisfied)
        try await queue.enqueue(evaluation)

        let dropped = try await queue.drop(evaluation.evaluationId, by: .tester).record
        #expect(dropped.evaluation == evaluation)
        #expect(dropped.state == .pending)
        #expect(try queue.record(evaluation.evaluationId) == nil)
        #expect(try queue.snapshot().total == 0)
        await #expect(throws: QueueError.notFound) { _ = try await queue.drop(evaluation.evaluationId, by: .tester) }
    }

    @Test func enqueueSignalsTheForwarderBeforeReturning() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let woken = Mutex(0)
        queue.onPending { woken.withLock { $0 += 1 } }
        #expect(woken.withLock { $0 } == 0)
        try await queue.enqueue(SampleEvaluation.make())
        // Woken already when enqueue returns.
        #expect(woken.withLock { $0 } == 1)
    }

    @Test func snapshotListAndOperatorFigures() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        var ids: [EvaluationID] = []
        for (index, rating) in [Rating.satisfied, .dissatisfied, .satisfied, .veryDissatisfied].enumerated() {
            let evaluation = SampleEvaluation.make(rating: rating, window: index.isMultiple(of: 2) ? "W01" : "W02")
            try await queue.enqueue(evaluation)
            ids.append(evaluation.evaluationId)
            fixture.clock.advance(by: 10)
        }
        let claimed = try await queue.claim(limit: 2, now: fixture.now)  // the two bad reviews
        try await queue.settle([.delivered(claimed[0].evaluation.evaluationId)], now: fixture.now)

        let snapshot = try queue.snapshot()
        // The bad review on the wire is pending in the file until the platform answers.
        #expect(snapshot.counts == [.pending: 3, .delivered: 1])
        #expect(snapshot.total == 4)
        #expect(snapshot.pendingBadReviews == 1, "the bad review on the wire is not delivered yet")
        #expect(snapshot.undelivered == 3)
        #expect(snapshot.oldestPendingEnqueuedAt == QueueFixture.start)
        #expect(try queue.oldestPendingAge(now: fixture.now) == 40)
        #expect(try queue.list(QueueListQuery(state: .pending)).map(\.id) == [ids[0], ids[2], ids[3]])
        #expect(try queue.list(QueueListQuery(badReviewsOnly: true, order: .newestFirst)).map(\.id) == [ids[3], ids[1]])
        #expect(try queue.list(QueueListQuery(windowCode: "W02", limit: 1)).map(\.id) == [ids[1]])
    }

    @Test func anOutageIsVisibleInEverySnapshot() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let bad = SampleEvaluation.make(rating: .veryDissatisfied)
        try await queue.enqueue(bad)
        try await queue.enqueue(SampleEvaluation.make(rating: .satisfied))
        fixture.clock.advance(by: 30)
        // On the wire: still undelivered, the bad review still counted, the age still growing.
        let claimed = try await queue.claim(limit: 10, now: fixture.now)
        let during = try queue.snapshot()
        // Issue 26: a sample during an outage shows the backlog as pending, never 0.
        #expect(during.count(.pending) == 2 && during.undelivered == 2 && during.pendingBadReviews == 1)
        #expect(during.oldestPendingAge(now: fixture.now) == 30)
        // The attempt fails: back to pending, waiting for its retry.
        try await queue.settle(claimed.map { .retry($0.evaluation.evaluationId, error: "connection refused", notBefore: fixture.now.addingTimeInterval(5)) }, now: fixture.now)
        let after = try queue.snapshot()
        #expect(after.count(.pending) == 2 && after.count(.inflight) == 0)
        #expect(after.waitingForRetry == 2 && after.pendingBadReviews == 1)
        #expect(after.lastError?.message == "connection refused")
    }

    @Test func aCleanCloseLeavesNoWAL() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        for _ in 0..<50 { try await queue.enqueue(SampleEvaluation.make()) }
        #expect(try fixture.files(startingWith: "queue.sqlite3").contains("queue.sqlite3-wal"))
        queue.close()
        let wal = fixture.directory.path("queue.sqlite3-wal")
        let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        #expect(size == 0, "the WAL is checkpointed and truncated on close")
        let reopened = try fixture.open()
        defer { reopened.close() }
        #expect(try reopened.counts()[.pending] == 50)
    }

    @Test func personalDataIsPurgedAfterDeliveryAndRetention() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let delivered = SampleEvaluation.make(realName: true)
        let waiting = SampleEvaluation.make(realName: true)
        try await queue.enqueue(delivered)
        _ = try await queue.claim(limit: 1, now: fixture.now)
        try await queue.settle([.delivered(delivered.evaluationId)], now: fixture.now)
        try await queue.enqueue(waiting)

        // Retention 86 400 s after delivery: a second short, nothing; past it, the delivered one only.
        #expect(try await queue.purgePersonalData(now: fixture.now.addingTimeInterval(86_400 - 1)) == 0)
        fixture.clock.advance(by: 86_400 + 10)
        #expect(try await queue.purgePersonalData(now: fixture.now) == 1)

        let purged = try #require(try queue.record(delivered.evaluationId))
        #expect(purged.evaluation.evaluator == nil)
        #expect(purged.evaluation == delivered.withoutPersonalData)
        #expect(purged.personalDataPurgedAt == fixture.now)
        #expect(try queue.record(waiting.evaluationId)?.evaluation.evaluator == waiting.evaluator)
    }
}
