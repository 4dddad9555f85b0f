import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue
import EvalSession

/// A case scanned and rated while one commit is under way (a burst) lands in
/// one batch: the rating absorbs the opening, and the case gets no ledger row
/// while its evaluation is queued (migration ledger-008): the evaluation's row
/// is its record. The settled row is written when the evaluation leaves the
/// table (prune, drop). Whatever happens to the rating, the case is never lost,
/// never both rated and due, and never rateable again.
///
/// The batch is made deterministic by stalling the writer (as a slow fsync
/// would) while the scan and the press are submitted through the session
/// driver, as the daemon's pipeline submits them.
@Suite struct CaseRowWrittenOnceTests {
    typealias F = LedgerFixtures
    typealias Suite = CaseLedgerSessionTests
    typealias WriterStall = PipelineGroupCommitTests.WriterStall

    /// Counts the UPDATEs of `ledger_cases` from now on (a test-only trigger).
    static func countUpdates(_ ledger: LedgerFile) throws {
        try ledger.locked { db in
            try db.execute("""
                CREATE TABLE counted_updates (project_no TEXT);
                CREATE TRIGGER counted AFTER UPDATE ON ledger_cases BEGIN INSERT INTO counted_updates VALUES (NEW.project_no); END;
                """)
        }
    }

    static func updates(_ ledger: LedgerFile) throws -> Int {
        try ledger.locked { db in try db.scalar("SELECT count(*) FROM counted_updates", as: Int.self) } ?? -1
    }

    static func row(_ ledger: LedgerFile, _ projectNo: String) throws -> (state: String?, evaluationId: String?, openedAt: Double?, window: String?)? {
        try ledger.locked { db in
            try db.prepare("SELECT state, evaluation_id, opened_at, window_code FROM ledger_cases WHERE project_no = ?")
                .rows([projectNo]) { ($0.column(0, as: String.self), $0.column(1, as: String.self), $0.column(2, as: Double.self),
                                     $0.column(3, as: String.self)) }.first
        }
    }

    /// Scan and press submitted during a stalled commit; returns what became durable.
    static func scanAndPressInOneBatch(_ projectNo: String, _ rating: Rating, store: EvaluationQueue,
                                       driver: SessionDriver) async throws -> [Evaluation] {
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        let stall = WriterStall(store)
        try await stall.engaged()
        let before = store.writerStatistics.transactions
        let scan = Scan.caseReceipt(CaseTicket(projectNo: projectNo, taskCode: "T1"))
        let state = await driver.caseState(for: scan)
        driver.submit(session.receive(scan, caseState: state, at: Suite.moment("2026-03-02 09:00:00"))) { _ in }
        let (durable, tell) = AsyncStream.makeStream(of: [Evaluation].self)
        driver.submit(session.press(Press(rating: rating, deviceId: "kbd-1"), at: Suite.moment("2026-03-02 09:00:30"))) { tell.yield($0) }
        stall.release()
        let stored = await durable.first { _ in true } ?? []
        #expect(store.writerStatistics.transactions - before == 1, "the scan and the press in the commit after the stall")
        return stored
    }

    static let scanInstant = F.at("2026-03-02 09:00:00").timeIntervalSince1970

    static func caseOpenedAt(_ ledger: LedgerFile, of evaluation: Evaluation) throws -> Double? {
        try ledger.locked { db in
            try db.scalar("SELECT case_opened_at FROM evaluations WHERE evaluation_id = ?", [evaluation.evaluationId.description], as: Double.self)
        }
    }

    /// Claims every pending record and settles it delivered.
    static func deliverAll(_ store: EvaluationQueue) async throws {
        let claimed = try await store.claim(limit: 100, now: Date())
        try await store.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
    }

    @Test func aCaseOpenedAndRatedInOneBatchIsRecordedByItsEvaluationAlone() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        try Self.countUpdates(ledger)
        let observer = RecordingObserver()

        let stored = try await Self.scanAndPressInOneBatch("2026030200101", .satisfied, store: store, driver: Suite.driver(store, observer))

        let evaluation = try #require(stored.first)
        #expect(try Self.row(ledger, "2026030200101") == nil, "no ledger row while the evaluation is queued")
        #expect(try Self.caseOpenedAt(ledger, of: evaluation) == Self.scanInstant, "the scan's instant kept with the evaluation")
        #expect(try Self.updates(ledger) == 0)
        #expect(try ledger.dueCases(at: F.at("2026-12-31 00:00:00")).isEmpty, "rated, so never due")
        #expect(try await store.caseState(of: "2026030200101") == .rated)
        #expect(try ledger.state(of: "2026030200101") == .rated, "evalctl's reader sees it rated too")
        #expect(try store.activeEvaluation(forProject: "2026030200101") == evaluation.evaluationId)
        #expect(observer.writeFailures.isEmpty)
        #expect(try store.record(evaluation.evaluationId)?.state == .pending)
    }

    @Test func whenItsEvaluationIsPrunedTheCaseKeepsARatedRowWithTheScansInstant() async throws {
        let fixture = try QueueFixture()
        // One record per prune transaction: the settling INSERT and the DELETE must pick the same row.
        let store = try fixture.open(fixture.configuration(deliveredRetentionDays: 0, pruneBatchSize: 1))
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let driver = Suite.driver(store, RecordingObserver())
        var rated: [String: Evaluation] = [:]
        for projectNo in ["2026030200111", "2026030200112", "2026030200113"] {
            let stored = try await Self.scanAndPressInOneBatch(projectNo, .satisfied, store: store, driver: driver)
            let evaluation = try #require(stored.first)
            rated[projectNo] = evaluation
        }
        try await store.enqueue(SampleEvaluation.make())  // no case: no row when it goes
        try await Self.deliverAll(store)

        let pruned = try await store.prune(now: Date().addingTimeInterval(1))

        #expect(pruned.deleted == 4)
        #expect(try store.counts().values.reduce(0, +) == 0, "the queue is empty")
        for (projectNo, evaluation) in rated {
            let row = try #require(try Self.row(ledger, projectNo), "\(projectNo): a settled row once its evaluation is gone")
            #expect(row.state == "rated")
            #expect(row.evaluationId == evaluation.evaluationId.description)
            #expect(row.openedAt == Self.scanInstant)
            #expect(row.window == F.window.windowCode)
            #expect(try await store.caseState(of: projectNo) == .rated, "\(projectNo) cannot be rated again")
        }
        #expect(try ledger.locked { db in try db.scalar("SELECT count(*) FROM ledger_cases", as: Int.self) } == 3)
    }

    /// An older agent's file: the case still open in the ledger, its citizen's
    /// rating queued beside it (rated by the queue's row). Pruning the rating
    /// rates the row in place and clears its opening.
    @Test func pruningARatingWhoseCaseIsStillOpenRatesTheRow() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open(fixture.configuration(deliveredRetentionDays: 0))
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let opening = F.opening("2026030200131", at: "2026-03-02 09:00:00")
        try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        let rating = SampleEvaluation.make(projectNo: "2026030200131")
        try await store.enqueue(rating)  // no ledger rows: the row stays open
        #expect(try Self.row(ledger, "2026030200131")?.state == "open")
        try await Self.deliverAll(store)

        #expect(try await store.prune(now: Date().addingTimeInterval(1)).deleted == 1)

        let row = try #require(try Self.row(ledger, "2026030200131"))
        #expect(row.state == "rated")
        #expect(row.evaluationId == rating.evaluationId.description)
        #expect(row.openedAt == Self.scanInstant, "the row's own opening instant is kept")
        #expect(try ledger.dueCases(at: F.at("2026-12-31 00:00:00")).isEmpty)
        #expect(try ledger.locked { db in
            try db.scalar("SELECT staff IS NULL AND due_at IS NULL FROM ledger_cases WHERE project_no = '2026030200131'", as: Bool.self)
        } == true, "settled: its opening cleared")
    }

    @Test func droppingTheEvaluationOfACaseRatedInItsBatchLeavesTheCaseRated() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let driver = Suite.driver(store, RecordingObserver())
        let first = try #require(try await Self.scanAndPressInOneBatch("2026030200121", .satisfied, store: store, driver: driver).first)
        let second = try #require(try await Self.scanAndPressInOneBatch("2026030200122", .verySatisfied, store: store, driver: driver).first)

        _ = try await store.drop(first.evaluationId, by: .tester)
        _ = try await store.drop(second.evaluationId, by: .tester)

        for (projectNo, evaluation) in [("2026030200121", first), ("2026030200122", second)] {
            let row = try #require(try Self.row(ledger, projectNo))
            #expect(row.state == "rated")
            #expect(row.evaluationId == evaluation.evaluationId.description)
            #expect(row.openedAt == Self.scanInstant)
            #expect(try await store.caseState(of: projectNo) == .rated)
        }
    }

    /// evalctl on a file the daemon has not migrated yet (not restarted since
    /// an upgrade): it opens the store as evald does, which migrates first.
    @Test func aDropOnAFileBeforeLedger008LeavesTheCaseRated() async throws {
        let fixture = try QueueFixture()
        let rating = SampleEvaluation.make(projectNo: "2026030200141")
        do {
            let store = try fixture.open()
            try await store.enqueue(rating)  // rated by the queue's row alone
            store.close()
        }
        do {
            // Back to the schema before ledger-008 (SQLite 3.35+ drops a column).
            let db = try Connection(path: fixture.path)
            try db.execute("""
                ALTER TABLE evaluations DROP COLUMN case_opened_at;
                DELETE FROM schema_migrations WHERE name = 'ledger-008-cases-rated-in-the-queue';
                """)
        }

        do {
            let store = try fixture.open()
            defer { store.close() }
            _ = try await store.drop(rating.evaluationId, by: .tester)
        }

        let ledger = try LedgerFile(path: fixture.path, mode: .readOnly)
        let row = try #require(try Self.row(ledger, "2026030200141"))
        #expect(row.state == "rated")
        #expect(row.evaluationId == rating.evaluationId.description)
        #expect(row.openedAt == rating.assessedAt.timeIntervalSince1970, "no scan instant in that schema: the rating's")
    }

    @Test func aBadReviewAbsorbsItsOpeningInsideItsSavepoint() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)

        let stored = try await Self.scanAndPressInOneBatch("2026030200102", .dissatisfied, store: store,
                                                           driver: Suite.driver(store, RecordingObserver()))

        let evaluation = try #require(stored.first)
        #expect(try Self.row(ledger, "2026030200102") == nil)
        #expect(try await store.caseState(of: "2026030200102") == .rated)
        #expect(try ledger.badReviews(BadReviewQuery(projectNo: "2026030200102")).map(\.evaluationId) == [evaluation.evaluationId])
    }

    @Test func aRefusedRatingLeavesTheCaseItOpenedOpenAndDue() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open(fixture.configuration(maxPendingRecords: 1))
        defer { store.close() }
        try await store.enqueue(SampleEvaluation.make())  // the queue is full
        let ledger = try LedgerFile(path: fixture.path)
        let observer = RecordingObserver()

        let stored = try await Self.scanAndPressInOneBatch("2026030200103", .verySatisfied, store: store, driver: Suite.driver(store, observer))

        #expect(stored.isEmpty)
        #expect(observer.refusedEvaluations.count == 1)
        #expect(observer.writeFailures.isEmpty, "the case row itself was written")
        #expect(try Self.row(ledger, "2026030200103")?.state == "open")
        #expect(try ledger.dueCases(at: F.at("2026-12-31 00:00:00")).map(\.opening.ticket.projectNo) == ["2026030200103"],
                "still due: its default rating applies")
        #expect(try store.counts()[.pending] == 1)
    }

    @Test func whenItsLedgerRowsCannotBeWrittenTheEvaluationIsUndoneAndTheCaseStillOpened() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        try ledger.locked { db in
            try db.execute("""
                CREATE TRIGGER injected BEFORE INSERT ON bad_reviews
                BEGIN SELECT RAISE(ABORT, 'injected bad-review row failure'); END
                """)
        }
        let observer = RecordingObserver()

        let stored = try await Self.scanAndPressInOneBatch("2026030200104", .veryDissatisfied, store: store,
                                                           driver: Suite.driver(store, observer))

        #expect(stored.isEmpty)
        #expect(observer.refusedEvaluations.count == 1)
        let refused = try #require(observer.refusedEvaluations.first)
        #expect(try store.record(refused.evaluationId) == nil, "no evaluation without its ledger rows")
        #expect(try Self.row(ledger, "2026030200104")?.state == "open")
        #expect(try ledger.dueCases(at: F.at("2026-12-31 00:00:00")).map(\.opening.ticket.projectNo) == ["2026030200104"])
        #expect(observer.writeFailures.isEmpty)
    }

    @Test func aCaseAlreadyInTheFileKeepsItsFirstOpeningAndIsRated() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let ledger = try LedgerFile(path: fixture.path)
        let first = F.opening("2026030200105", at: "2026-03-02 09:00:00")
        try await store.openCase(first, due: F.scheduler.due(openedAt: first.openedAt))
        try Self.countUpdates(ledger)

        // A second opening (another agent's scan, as the store sees it) and its rating in one batch.
        let again = F.opening("2026030200105", at: "2026-03-02 11:00:00")
        let rating = SampleEvaluation.make(projectNo: "2026030200105")
        let stall = WriterStall(store)
        try await stall.engaged()
        let (opened, tellOpened) = AsyncStream.makeStream(of: Result<Bool, any Error>.self)
        store.submitOpenCase(again, due: F.scheduler.due(openedAt: again.openedAt)) { tellOpened.yield($0) }
        let (rated, tellRated) = AsyncStream.makeStream(of: Result<EnqueueResult, any Error>.self)
        store.submit(rating, ledger: try CaseLedgerUpdate(rating, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday))) {
            tellRated.yield($0)
        }
        stall.release()

        #expect(try await rated.first { _ in true }?.get() == .enqueued)
        #expect(try await opened.first { _ in true }?.get() == false, "not newly opened")
        let row = try #require(try Self.row(ledger, "2026030200105"))
        #expect(row.state == "rated")
        #expect(row.evaluationId == rating.evaluationId.description)
        #expect(row.openedAt == first.openedAt.timeIntervalSince1970)
        #expect(try Self.updates(ledger) == 1, "the existing row rated in place")
    }
}
