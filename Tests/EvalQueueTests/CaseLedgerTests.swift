import EvalCore
@testable import EvalQueue
import EvalTesting
import Foundation
import Testing

@Suite struct CaseLedgerTests {
    typealias F = LedgerFixtures

    @Test func aPendingDefaultSurvivesARestart() async throws {
        let fixture = try QueueFixture()
        do {
            let store = try fixture.open()
            let opening = F.opening("2026030200001", at: "2026-03-02 10:00:00")
            #expect(try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt)))
            #expect(try await store.caseState(of: "2026030200001") == .open)
            store.close()
        }  // the process "stops"

        let store = try fixture.open()
        #expect(try await store.nextDefaultDue() == F.at("2026-03-10 00:00:00"))
        #expect(await store.applyDueDefaults(at: F.at("2026-03-09 23:59:59")).enqueued.isEmpty)
        let made = await store.applyDueDefaults(at: F.at("2026-03-10 08:00:00"))
        #expect(made.enqueued.count == 1 && made.refused.isEmpty)
        let evaluation = try #require(made.enqueued.first)
        #expect(evaluation.evaluationType == .defaulted && evaluation.satisfaction == .basicallySatisfied)
        #expect(evaluation.assessTime == "2026-03-10 00:00:00")
        #expect(evaluation.projectNo == "2026030200001" && evaluation.windowCode == "W07" && evaluation.deviceId == "kbd-1")
        #expect(try store.record(evaluation.evaluationId)?.state == .pending, "queued in the same transaction")
        #expect(try await store.caseState(of: "2026030200001") == .defaulted)
        #expect(try await store.nextDefaultDue() == nil)
        store.close()

        // A second pass, or a third start, never defaults it again.
        let again = try fixture.open()
        defer { again.close() }
        #expect(await again.applyDueDefaults(at: F.at("2026-04-01 00:00:00")).enqueued.isEmpty)
        #expect(try again.counts()[.pending] == 1)
    }

    @Test func aDefaultAnOlderAgentSettledButNeverQueuedIsQueuedWithItsId() async throws {
        let fixture = try QueueFixture()
        let opening = F.opening("P-CRASH-0001", at: "2026-03-02 10:00:00")
        let legacy = DefaultRatingScheduler.evaluation(for: opening, dueAt: F.at("2026-03-10 00:00:00"),
                                                        id: EvaluationID.make(at: F.at("2026-03-10 00:00:00")))
        do {
            // An older agent's two-step default, killed between its steps.
            let ledger = try LedgerFile(path: fixture.path)
            try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
            #expect(try ledger.settleDefault(legacy, at: F.at("2026-03-11 00:00:00")))
        }
        let store = try fixture.open()
        defer { store.close() }
        let pass = await store.applyDueDefaults(at: F.at("2026-03-11 00:00:00"))
        #expect(pass.enqueued.map(\.evaluationId) == [legacy.evaluationId])
        #expect(try store.record(legacy.evaluationId)?.state == .pending)
        #expect(try store.reader.unconfirmedDefaults().isEmpty)
    }

    @Test func aRefusedDefaultLeavesTheCaseDueAndIsRetried() async throws {
        let fixture = try QueueFixture()
        let opening = F.opening("P-FULL-0001", at: "2026-03-02 10:00:00")
        do {
            // The cap is reached: one undelivered record already fills it.
            let store = try fixture.open(fixture.configuration(maxPendingRecords: 1))
            try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt))
            try await store.enqueue(SampleEvaluation.make())
            let pass = await store.applyDueDefaults(at: F.at("2026-03-11 00:00:00"))
            #expect(pass.enqueued.isEmpty)
            #expect(pass.refused.map(\.projectNo) == ["P-FULL-0001"])
            #expect(try await store.caseState(of: "P-FULL-0001") == .open, "refused: the case must stay due, not defaulted")
            #expect(try store.reader.dueCases(at: F.at("2026-03-11 00:00:00")).count == 1)
            store.close()
        }
        // Room again (the cap raised): the next pass queues it.
        let store = try fixture.open()
        defer { store.close() }
        let pass = await store.applyDueDefaults(at: F.at("2026-03-11 00:01:00"))
        #expect(pass.enqueued.map(\.projectNo) == ["P-FULL-0001"] && pass.refused.isEmpty)
        #expect(try await store.caseState(of: "P-FULL-0001") == .defaulted)
    }

    @Test func aRatedCaseIsNeverDefaultedAndStaysRatedAcrossRestarts() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        do {
            let ledger = try LedgerFile(path: path)
            let opening = F.opening("2026030200002", at: "2026-03-02 10:00:00")
            try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
            let rating = Evaluation(satisfaction: .verySatisfied, assessedAt: F.at("2026-03-02 10:05:00"), areaCode: "533103",
                                    windowCode: "W07", deviceId: "kbd-1", projectNo: "2026030200002")
            #expect(try ledger.recordRating(rating))
            #expect(try !ledger.recordRating(rating), "a second rating of the same case must not settle it again")
            // Re-scanning the case keeps the first opening and state.
            #expect(try !ledger.open(F.opening("2026030200002", at: "2026-03-05 10:00:00"), due: F.scheduler.due(openedAt: F.at("2026-03-05 10:00:00"))))
        }
        let reopened = try LedgerFile(path: path)
        #expect(try reopened.state(of: "2026030200002") == .rated)
        #expect(try reopened.dueCases(at: F.at("2027-01-01 00:00:00")).isEmpty)
        #expect(try reopened.state(of: "never-seen") == .unknown)
    }

    @Test func aCaseWhoseRatingIsAlreadyQueuedIsRepairedNotDefaulted() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        for projectNo in ["P-QUEUED-0001", "P-UNRATED-0002"] {
            let opening = F.opening(projectNo, at: "2026-03-02 10:00:00")
            try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        }
        // An older agent queued the citizen's rating without its ledger rows, then crashed.
        let rating = Evaluation(satisfaction: .verySatisfied, assessedAt: F.at("2026-03-02 10:01:00"), areaCode: "533103",
                                windowCode: "W07", deviceId: "kbd-1", projectNo: "P-QUEUED-0001")
        try await store.enqueue(rating)
        let pass = await store.applyDueDefaults(at: F.at("2026-03-10 00:00:00"))
        #expect(pass.enqueued.map(\.projectNo) == ["P-UNRATED-0002"])
        #expect(pass.markedRated == ["P-QUEUED-0001"])
        #expect(try await store.caseState(of: "P-QUEUED-0001") == .rated)
        #expect(try await store.caseState(of: "P-UNRATED-0002") == .defaulted)
    }

    @Test func aClockSetBackDelaysButDoesNotLoseADefault() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let ledger = try LedgerFile(path: directory.path("queue.db"))
        let opening = F.opening("P-CLOCK-0001", at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        // The clock jumps back a year: nothing is due, nothing is lost.
        #expect(try ledger.dueCases(at: F.at("2025-03-02 10:00:00")).isEmpty)
        #expect(try ledger.state(of: "P-CLOCK-0001") == .open)
        #expect(try ledger.dueCases(at: F.at("2026-03-10 00:00:00")).map(\.opening.ticket.projectNo) == ["P-CLOCK-0001"])
    }

    @Test func scannedTextIsOnlyEverABoundValue() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let ledger = try LedgerFile(path: directory.path("queue.db"))
        let hostile = "x'); DROP TABLE ledger_cases; --"
        let opening = F.opening(hostile, at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        #expect(try ledger.state(of: hostile) == .open)
        #expect(try ledger.dueCases(at: F.at("2026-03-10 00:00:00")).first?.opening.ticket.projectNo == hostile)
    }

    @Test func filteredPressesAreKeptAcrossRestarts() async throws {
        let fixture = try QueueFixture()
        let presses = [
            FilteredPress(rating: .verySatisfied, deviceId: "kbd-1", windowCode: "W07", pressedAt: F.at("2026-03-02 10:00:00"), reason: .bounce),
            FilteredPress(rating: .dissatisfied, deviceId: "kbd-1", windowCode: "W07", pressedAt: F.at("2026-03-02 10:00:01"), reason: .repeat, projectNo: "P1", hadIdentity: true),
            FilteredPress(rating: .satisfied, deviceId: "kbd-2", windowCode: "W08", pressedAt: F.at("2026-03-02 10:00:02"), reason: .tooFast),
            FilteredPress(rating: .satisfied, deviceId: "kbd-2", windowCode: "W08", pressedAt: F.at("2026-03-02 10:00:03"), reason: .ledgerUnavailable, projectNo: "P2"),
        ]
        do {
            let store = try fixture.open()
            for press in presses { try await store.recordFiltered(press) }
            store.close()
        }
        let reopened = try LedgerFile(path: fixture.path, mode: .readOnly)
        #expect(try reopened.filteredPresses() == presses)
        #expect(try reopened.filteredPresses(since: F.at("2026-03-02 10:00:01")).count == 3)
    }

    @Test func badReviewLedgerQuery() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let ledger = try LedgerFile(path: path)
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let named = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
        let realName = F.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00", projectNo: "P1", evaluator: named)
        var anonymous = F.badReview(.dissatisfied, at: "2026-03-03 09:00:00", window: "W08", staff: "zhaoliu")
        // Staff as the 台账 keeps them, through the queue's own list encoder: quotes, slashes, Chinese.
        anonymous.evaluatedPersons = [StaffMember(loginName: "zhaoliu", name: "赵\"六\" / 窗口"), StaffMember(loginName: "qian7", name: "钱七")]
        try ledger.recordBadReview(realName, policy: policy)
        try ledger.recordBadReview(realName, policy: policy)  // idempotent
        try ledger.recordBadReview(anonymous, policy: policy)
        try ledger.recordBadReview(F.badReview(.satisfied, at: "2026-03-03 10:00:00"), policy: policy)  // not a bad review

        // evalctl reads through the store's read-only view while the daemon holds the file.
        let reader = try QueueReader(path: path)
        let all = try reader.badReviews { $0 == realName.evaluationId ? "delivered" : nil }
        #expect(all.map(\.evaluationId) == [anonymous.evaluationId, realName.evaluationId])
        let first = try #require(all.last)
        #expect(first.deadline == CivilDate("2026-03-23") && first.callBackNeeded && first.deliveryState == "delivered")
        #expect(first.evaluator?.certKey.revealed == "533103199001011234")
        #expect(all.first?.evaluator == nil && all.first?.callBackNeeded == false)
        #expect(all.first?.staff == anonymous.evaluatedPersons)

        #expect(try reader.badReviews(BadReviewQuery(windowCode: "W08")).map(\.evaluationId) == [anonymous.evaluationId])
        #expect(try reader.badReviews(BadReviewQuery(staffLoginName: "lisi")).map(\.evaluationId) == [realName.evaluationId])
        #expect(try reader.badReviews(BadReviewQuery(projectNo: "P1")).count == 1)
        #expect(try reader.badReviews(BadReviewQuery(since: F.at("2026-03-03 00:00:00"))).count == 1)
        #expect(try reader.badReviews(BadReviewQuery(windowCode: "W07' OR '1'='1")).isEmpty)
    }

    @Test func migrationsAreRecordedOnceInTheSharedFile() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        _ = try LedgerFile(path: path)
        _ = try LedgerFile(path: path)
        let connection = try Connection(path: path, mode: .readOnly)
        let names = try connection.prepare("SELECT name FROM schema_migrations ORDER BY name").rows { $0.column(0, as: String.self) ?? "" }
        #expect(names.filter { $0.hasPrefix("ledger-") } == ["ledger-001-cases", "ledger-002-filtered-presses", "ledger-003-bad-reviews", "ledger-004-filtered-ledger-unavailable", "ledger-005-typed-case-openings", "ledger-006-settled-cases-keep-no-opening",
                                                              "ledger-007-filtered-reason-spelled-out", "ledger-008-cases-rated-in-the-queue",
                                                              "ledger-101-bad-review-steps",
                                                              "ledger-102-deadline-alerts"])
        #expect(try connection.scalar("PRAGMA journal_mode", as: String.self) == "wal")
    }
}
