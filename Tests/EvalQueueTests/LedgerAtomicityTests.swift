import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

#if canImport(Glibc)
import Glibc
#endif

/// One service, one evaluation: a crash between enqueueing a citizen's rating
/// and recording it in the case ledger must not let the case be rated again.
@Suite("Case ledger and queue: one durable record per rating")
struct LedgerAtomicityTests {
    typealias F = LedgerFixtures

    /// Runs the probe until it has enqueued (and reported) its rating, then
    /// SIGKILLs it before its ledger step. Returns the evaluation id.
    private func rateAndKill(_ fixture: QueueFixture, projectNo: String, mode: String) async throws -> String {
        let probe = try BuiltProducts.executable(named: "evalq-crash-probe")
        let child = try ChildProcess(probe, arguments: ["rate", fixture.path, projectNo, mode])
        let id = try #require(try await child.nextLine(timeout: .seconds(30)), "probe stderr: \(child.stderr)")
        child.send(SIGKILL)
        _ = try await child.waitForExit(timeout: .seconds(10))
        #expect(child.wasKilledBySignal)
        return id
    }

    @Test func atomicEnqueueKilledBeforeTheLedgerStepLeavesTheCaseRatedAndTheBadReviewListed() async throws {
        let fixture = try QueueFixture()
        let id = try await rateAndKill(fixture, projectNo: "P-KILL-ATOMIC-01", mode: "atomic")

        let queue = try fixture.open()
        defer { queue.close() }
        let ledger = try LedgerFile(path: fixture.path)
        #expect(try queue.record(try #require(EvaluationID(id)))?.state == .pending)
        #expect(try ledger.state(of: "P-KILL-ATOMIC-01") == .rated)
        // The ledger's own row says so, with the queued evaluation's id.
        let row = try ledger.locked { db in
            try db.prepare("SELECT state, evaluation_id FROM ledger_cases WHERE project_no = ?")
                .rows(["P-KILL-ATOMIC-01"]) { ($0.column(0, as: String.self), $0.column(1, as: String.self)) }.first
        }
        #expect(row?.0 == "rated")
        #expect(row?.1 == id)
        let reviews = try ledger.badReviews(BadReviewQuery(projectNo: "P-KILL-ATOMIC-01"))
        #expect(reviews.map(\.evaluationId.description) == [id])
        #expect(reviews.first?.callBackNeeded == true)
        // The defaults pass has nothing to do for it.
        #expect(try ledger.dueCases(at: Date().addingTimeInterval(86_400 * 30)).isEmpty)
    }

    @Test func separateEnqueueKilledBeforeTheLedgerStepStillAnswersRated() async throws {
        // The agent's old order (enqueue, then ledger.record on another connection):
        // the ledger's row stays open, but the ledger's answer comes from the queue's row.
        let fixture = try QueueFixture()
        let id = try await rateAndKill(fixture, projectNo: "P-KILL-SEPARATE-01", mode: "separate")

        let ledger = try LedgerFile(path: fixture.path)
        #expect(try ledger.state(of: "P-KILL-SEPARATE-01") == .rated)
        #expect(try ledger.state(of: "P-NEVER-RATED-01") == .unknown)
        // The defaults pass repairs the open row from the queue's record: rated, not defaulted.
        let store = try fixture.open()
        let pass = await store.applyDueDefaults(at: Date().addingTimeInterval(86_400 * 30))
        store.close()
        #expect(pass.enqueued.isEmpty, "a case with a queued rating must not be defaulted")
        #expect(pass.markedRated == ["P-KILL-SEPARATE-01"])
        let row = try ledger.locked { db in
            try db.prepare("SELECT state, evaluation_id FROM ledger_cases WHERE project_no = ?")
                .rows(["P-KILL-SEPARATE-01"]) { ($0.column(0, as: String.self), $0.column(1, as: String.self)) }.first
        }
        #expect(row?.0 == "rated")
        #expect(row?.1 == id)
    }

    @Test func whenTheLedgerRowsCannotBeWrittenTheEvaluationIsNotStoredEither() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let opening = F.opening("P-FAIL-0001", at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        // Injected failure: the 台账's table is gone, so its INSERT fails inside the batch.
        try ledger.locked { db in try db.execute("DROP TABLE bad_reviews") }
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let bad = F.badReview(.dissatisfied, at: "2026-03-02 10:01:00", projectNo: "P-FAIL-0001")
        await #expect(throws: (any Error).self) {
            try await queue.enqueue(bad, ledger: CaseLedgerUpdate(bad, badReviewPolicy: policy))
        }
        #expect(try queue.record(bad.evaluationId) == nil, "the evaluation must not outlive its ledger rows")
        #expect(try ledger.state(of: "P-FAIL-0001") == .open, "the case must not be marked rated either")
        // The queue goes on; the failure stayed with that one operation.
        let fine = SampleEvaluation.make()
        #expect(try await queue.enqueue(fine) == .enqueued)
        #expect(try queue.counts()[.pending] == 1)
    }

    /// A case's rating alone runs without a savepoint: when its ledger
    /// statement fails, the insert before it is undone by hand.
    @Test func whenACaseRatingsLedgerRowFailsTheEvaluationIsNotStoredEither() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let opening = F.opening("P-FAIL-0002", at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        try ledger.locked { db in
            try db.execute("CREATE TRIGGER injected BEFORE UPDATE ON ledger_cases BEGIN SELECT RAISE(ABORT, 'injected ledger failure'); END")
        }
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let rating = SampleEvaluation.make(projectNo: "P-FAIL-0002")
        let update = try CaseLedgerUpdate(rating, badReviewPolicy: policy)
        // Another evaluation submitted alongside it commits: the failure stays with its operation.
        let (mate, mateStored) = AsyncStream.makeStream(of: Bool.self)
        queue.submit(SampleEvaluation.make(), ledger: try CaseLedgerUpdate(SampleEvaluation.make(), badReviewPolicy: policy)) { result in
            if case .success = result { mateStored.yield(true) } else { mateStored.yield(false) }
        }
        await #expect(throws: (any Error).self) { try await queue.enqueue(rating, ledger: update) }
        #expect(await mate.first { _ in true } == true)
        #expect(try queue.record(rating.evaluationId) == nil, "the evaluation must not outlive its ledger row")
        #expect(try ledger.state(of: "P-FAIL-0002") == .open)
        #expect(try queue.counts()[.pending] == 1)

        // When the undo fails too, the whole batch is rolled back: still no evaluation without its row.
        try ledger.locked { db in
            try db.execute("CREATE TRIGGER injected_undo BEFORE DELETE ON evaluations BEGIN SELECT RAISE(ABORT, 'injected undo failure'); END")
        }
        await #expect(throws: (any Error).self) { try await queue.enqueue(rating, ledger: update) }
        #expect(try queue.record(rating.evaluationId) == nil)
        #expect(try ledger.state(of: "P-FAIL-0002") == .open)
        try ledger.locked { db in try db.execute("DROP TRIGGER injected; DROP TRIGGER injected_undo") }
        #expect(try await queue.enqueue(rating, ledger: update) == .enqueued, "the queue goes on")
        #expect(try ledger.state(of: "P-FAIL-0002") == .rated)
    }

    @Test func aRepeatedEnqueueWritesTheLedgerRowsItMissed() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let opening = F.opening("P-REPAIR-0001", at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let bad = F.badReview(.veryDissatisfied, at: "2026-03-02 10:01:00", projectNo: "P-REPAIR-0001")
        #expect(try await queue.enqueue(bad) == .enqueued)  // written without its ledger rows
        #expect(try ledger.badReviews().isEmpty)
        #expect(try await queue.enqueue(bad, ledger: CaseLedgerUpdate(bad, badReviewPolicy: policy)) == .duplicate)
        #expect(try ledger.badReviews().map(\.evaluationId) == [bad.evaluationId])
        #expect(try ledger.unconfirmedDefaults().isEmpty)
        #expect(try ledger.dueCases(at: F.at("2026-12-31 00:00:00")).isEmpty, "rated, so never defaulted")
        #expect(try queue.counts()[.pending] == 1)
    }
}
