import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

@Suite struct CaseLedgerTests {
    typealias F = LedgerFixtures

    @Test func aPendingDefaultSurvivesARestart() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")

        do {
            let ledger = try CaseLedger(path: path)
            let opening = F.opening("2026030200001", at: "2026-03-02 10:00:00")
            #expect(try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt)))
            #expect(try ledger.state(of: "2026030200001") == .open)
        }  // the process "stops": the connection closes

        let reopened = try CaseLedger(path: path)
        #expect(try reopened.state(of: "2026030200001") == .open)
        #expect(try reopened.nextDefaultDue() == F.at("2026-03-10 00:00:00"))
        var queue: [Evaluation] = []
        #expect(try reopened.applyDueDefaults(at: F.at("2026-03-09 23:59:59")) { queue.append($0) }.isEmpty)
        let made = try reopened.applyDueDefaults(at: F.at("2026-03-10 08:00:00")) { queue.append($0) }
        #expect(made.count == 1 && queue == made)
        let evaluation = try #require(queue.first)
        #expect(evaluation.evaluationType == .defaulted && evaluation.satisfaction == .basicallySatisfied)
        #expect(evaluation.assessTime == "2026-03-10 00:00:00")
        #expect(evaluation.projectNo == "2026030200001" && evaluation.windowCode == "W07" && evaluation.deviceId == "kbd-1")
        #expect(try reopened.state(of: "2026030200001") == .defaulted)
        #expect(try reopened.nextDefaultDue() == nil)

        // A second pass, or a third start, never defaults it again.
        let again = try CaseLedger(path: path)
        #expect(try again.applyDueDefaults(at: F.at("2026-04-01 00:00:00")) { queue.append($0) }.isEmpty)
        #expect(queue.count == 1)
    }

    @Test func aCrashBetweenSettlingAndEnqueueingResendsTheSameId() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        struct QueueDown: Error {}

        var firstId: EvaluationID?
        do {
            let ledger = try CaseLedger(path: path)
            let opening = F.opening("P-CRASH-0001", at: "2026-03-02 10:00:00")
            try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
            #expect(throws: QueueDown.self) {
                try ledger.applyDueDefaults(at: F.at("2026-03-11 00:00:00")) { evaluation in
                    firstId = evaluation.evaluationId
                    throw QueueDown()
                }
            }
        }
        let reopened = try CaseLedger(path: path)
        #expect(try reopened.unconfirmedDefaults().map(\.evaluationId) == [try #require(firstId)])
        var queue: [Evaluation] = []
        _ = try reopened.applyDueDefaults(at: F.at("2026-03-11 00:00:00")) { queue.append($0) }
        #expect(queue.map(\.evaluationId) == [firstId])
        #expect(try reopened.unconfirmedDefaults().isEmpty)
    }

    @Test func aRatedCaseIsNeverDefaultedAndStaysRatedAcrossRestarts() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        do {
            let ledger = try CaseLedger(path: path)
            let opening = F.opening("2026030200002", at: "2026-03-02 10:00:00")
            try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
            let rating = Evaluation(satisfaction: .verySatisfied, assessedAt: F.at("2026-03-02 10:05:00"), areaCode: "533103",
                                    windowCode: "W07", deviceId: "kbd-1", projectNo: "2026030200002")
            #expect(try ledger.recordRating(rating))
            #expect(try !ledger.recordRating(rating), "a second rating of the same case must not settle it again")
            // Re-scanning the case keeps the first opening and state.
            #expect(try !ledger.open(F.opening("2026030200002", at: "2026-03-05 10:00:00"), due: F.scheduler.due(openedAt: F.at("2026-03-05 10:00:00"))))
        }
        let reopened = try CaseLedger(path: path)
        #expect(try reopened.state(of: "2026030200002") == .rated)
        #expect(try reopened.dueCases(at: F.at("2027-01-01 00:00:00")).isEmpty)
        #expect(try reopened.state(of: "never-seen") == .unknown)
    }

    @Test func aCaseWhoseRatingIsAlreadyQueuedIsRepairedNotDefaulted() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let ledger = try CaseLedger(path: directory.path("queue.db"))
        for projectNo in ["P-QUEUED-0001", "P-UNRATED-0002"] {
            let opening = F.opening(projectNo, at: "2026-03-02 10:00:00")
            try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        }
        // The citizen's rating reached the queue, then the agent crashed before recordRating.
        let queued = EvaluationID.make(at: F.at("2026-03-02 10:01:00"))
        var enqueued: [Evaluation] = []
        try ledger.applyDueDefaults(at: F.at("2026-03-10 00:00:00"), queuedEvaluation: { $0 == "P-QUEUED-0001" ? queued : nil }) { enqueued.append($0) }
        #expect(enqueued.map(\.projectNo) == ["P-UNRATED-0002"])
        #expect(try ledger.state(of: "P-QUEUED-0001") == .rated)
        #expect(try ledger.state(of: "P-UNRATED-0002") == .defaulted)
    }

    @Test func aClockSetBackDelaysButDoesNotLoseADefault() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let ledger = try CaseLedger(path: directory.path("queue.db"))
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
        let ledger = try CaseLedger(path: directory.path("queue.db"))
        let hostile = "x'); DROP TABLE ledger_cases; --"
        let opening = F.opening(hostile, at: "2026-03-02 10:00:00")
        try ledger.open(opening, due: F.scheduler.due(openedAt: opening.openedAt))
        #expect(try ledger.state(of: hostile) == .open)
        #expect(try ledger.dueCases(at: F.at("2026-03-10 00:00:00")).first?.opening.ticket.projectNo == hostile)
    }

    @Test func filteredPressesAreKeptAcrossRestarts() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let presses = [
            FilteredPress(rating: .verySatisfied, deviceId: "kbd-1", windowCode: "W07", pressedAt: F.at("2026-03-02 10:00:00"), reason: .bounce),
            FilteredPress(rating: .dissatisfied, deviceId: "kbd-1", windowCode: "W07", pressedAt: F.at("2026-03-02 10:00:01"), reason: .repeat, projectNo: "P1", hadIdentity: true),
            FilteredPress(rating: .satisfied, deviceId: "kbd-2", windowCode: "W08", pressedAt: F.at("2026-03-02 10:00:02"), reason: .tooFast),
        ]
        do {
            let ledger = try CaseLedger(path: path)
            for press in presses { try ledger.recordFiltered(press) }
        }
        let reopened = try CaseLedger(path: path)
        #expect(try reopened.filteredPresses() == presses)
        #expect(try reopened.filteredPresses(since: F.at("2026-03-02 10:00:01")).count == 2)
    }

    @Test func badReviewLedgerQueryAndReport() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let ledger = try CaseLedger(path: path)
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let named = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
        let realName = F.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00", projectNo: "P1", evaluator: named)
        let anonymous = F.badReview(.dissatisfied, at: "2026-03-03 09:00:00", window: "W08", staff: "zhaoliu")
        try ledger.recordBadReview(realName, policy: policy)
        try ledger.recordBadReview(realName, policy: policy)  // idempotent
        try ledger.recordBadReview(anonymous, policy: policy)
        try ledger.recordBadReview(F.badReview(.satisfied, at: "2026-03-03 10:00:00"), policy: policy)  // not a bad review

        // evalctl reads through a read-only connection while the daemon holds the file.
        let reader = try CaseLedger(path: path, mode: .readOnly)
        let all = try reader.badReviews { $0 == realName.evaluationId ? "delivered" : nil }
        #expect(all.map(\.evaluationId) == [anonymous.evaluationId, realName.evaluationId])
        let first = try #require(all.last)
        #expect(first.deadline == CivilDate("2026-03-23") && first.callBackNeeded && first.deliveryState == "delivered")
        #expect(first.evaluator?.certKey.revealed == "533103199001011234")
        #expect(all.first?.evaluator == nil && all.first?.callBackNeeded == false)

        #expect(try reader.badReviews(BadReviewQuery(windowCode: "W08")).map(\.evaluationId) == [anonymous.evaluationId])
        #expect(try reader.badReviews(BadReviewQuery(staffLoginName: "lisi")).map(\.evaluationId) == [realName.evaluationId])
        #expect(try reader.badReviews(BadReviewQuery(projectNo: "P1")).count == 1)
        #expect(try reader.badReviews(BadReviewQuery(since: F.at("2026-03-03 00:00:00"))).count == 1)
        #expect(try reader.badReviews(BadReviewQuery(windowCode: "W07' OR '1'='1")).isEmpty)

        let logs = CapturedLogs()
        let masked = BadReviewReport.text(all, today: CivilDate("2026-03-24")!, reveal: false, logger: logs.logger)
        #expect(!masked.contains("533103199001011234") && !masked.contains("王小明"))
        #expect(masked.contains("王** 5331**********1234"))
        #expect(masked.contains("2026-03-23\tyes\tyes"), "overdue and call-back columns")
        #expect(logs.messages.isEmpty)
        let revealed = BadReviewReport.text(all, today: CivilDate("2026-03-24")!, reveal: true, logger: logs.logger)
        #expect(revealed.contains("王小明 533103199001011234"))
        #expect(logs.messages.count == 1 && logs.messages[0].contains("revealed") && logs.messages[0].contains(realName.evaluationId.description))
        #expect(!logs.messages[0].contains("533103199001011234"))

        // Identity is kept only while the call-back may need it.
        #expect(try ledger.purgeBadReviewIdentities(deadlineBefore: CivilDate("2026-03-23")!) == 0)
        #expect(try ledger.purgeBadReviewIdentities(deadlineBefore: CivilDate("2026-04-30")!) == 1)
        #expect(try ledger.badReviews().allSatisfy { $0.evaluator == nil })
    }

    @Test func migrationsAreRecordedOnceInTheSharedFile() throws {
        let directory = try TemporaryDirectory(prefix: "ledger")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        _ = try CaseLedger(path: path)
        _ = try CaseLedger(path: path)
        let connection = try Connection(path: path, mode: .readOnly)
        let names = try connection.prepare("SELECT name FROM schema_migrations ORDER BY name").rows { $0.column(0, as: String.self) ?? "" }
        #expect(names.filter { $0.hasPrefix("ledger-") } == ["ledger-001-cases", "ledger-002-filtered-presses", "ledger-003-bad-reviews", "ledger-101-bad-review-steps"])
        #expect(try connection.scalar("PRAGMA journal_mode", as: String.self) == "wal")
    }
}
