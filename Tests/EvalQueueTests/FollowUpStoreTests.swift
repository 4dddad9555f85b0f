import EvalCore
@testable import EvalQueue
import EvalTesting
import Foundation
import Testing

/// The follow-up ledger's store operations on a real SQLite file.
@Suite struct FollowUpStoreTests {
    typealias F = LedgerFixtures

    static let policy = BadReviewPolicy(calendar: .mondayToFriday)
    static let named = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
    static let recordedAt = Date(timeIntervalSince1970: 1_772_500_000)

    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    static func step(_ action: FollowUpStep.Action, _ day: String, by: String = "wangfang") -> FollowUpStep {
        FollowUpStep(action, on: Self.day(day), by: by)
    }

    @Test func stepsAreAppendedInOrderAndSurviveAReopen() throws {
        let directory = try TemporaryDirectory(prefix: "followup")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let review = F.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00", evaluator: Self.named)
        do {
            let ledger = try LedgerFile(path: path)
            try ledger.recordBadReview(review, policy: Self.policy)
            try ledger.appendFollowUpStep(Self.step(.verify(.valid, reason: "属实"), "2026-03-02"), to: review.evaluationId, recordedAt: Self.recordedAt)
            try ledger.appendFollowUpStep(Self.step(.extend(until: Self.day("2026-04-10"), explanation: "待采购"), "2026-03-05"), to: review.evaluationId, recordedAt: Self.recordedAt)
            try ledger.appendFollowUpStep(Self.step(.rectify(measures: "更换设备"), "2026-04-01"), to: review.evaluationId, recordedAt: Self.recordedAt)
        }
        let reader = try LedgerFile(path: path, mode: .readOnly)
        let history = try #require(try reader.followUp(of: review.evaluationId))
        #expect(history.records.map(\.seq) == [1, 2, 3])
        #expect(history.records.map(\.step.kind) == ["verify", "extend", "rectify"])
        #expect(history.records.first?.recordedAt == Self.recordedAt)
        #expect(history.followUp.stage == .rectified)
        #expect(history.followUp.initialDeadline == Self.day("2026-03-23"))
        #expect(history.followUp.deadline == Self.day("2026-04-10"))
        #expect(history.identityStored)
        #expect(try reader.followUps().map(\.evaluationId) == [review.evaluationId])
        #expect(try reader.followUps(since: F.at("2026-03-03 00:00:00")).isEmpty)
    }

    @Test func aRefusedStepWritesNothing() throws {
        let directory = try TemporaryDirectory(prefix: "followup")
        defer { directory.remove() }
        let ledger = try LedgerFile(path: directory.path("queue.db"))
        let review = F.badReview(.dissatisfied, at: "2026-03-02 09:00:00")
        try ledger.recordBadReview(review, policy: Self.policy)

        #expect(throws: FollowUpError.notAllowed) {
            try ledger.appendFollowUpStep(Self.step(.rectify(measures: "先整改"), "2026-03-02"), to: review.evaluationId, recordedAt: Self.recordedAt)
        }
        #expect(try ledger.followUp(of: review.evaluationId)?.records.isEmpty == true)
        #expect(throws: BadReviewNotFound.self) {
            try ledger.appendFollowUpStep(Self.step(.verify(.valid, reason: "属实"), "2026-03-02"), to: .make(at: F.at("2026-03-02 09:00:00")), recordedAt: Self.recordedAt)
        }
        #expect(try ledger.followUp(of: .make(at: F.at("2026-03-02 09:00:00"))) == nil)
    }

    @Test func theStepsTableRefusesEditsAndIllFormedRows() throws {
        let directory = try TemporaryDirectory(prefix: "followup")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let ledger = try LedgerFile(path: path)
        let review = F.badReview(.dissatisfied, at: "2026-03-02 09:00:00")
        try ledger.recordBadReview(review, policy: Self.policy)
        try ledger.appendFollowUpStep(Self.step(.verify(.mistaken, reason: "误按"), "2026-03-02"), to: review.evaluationId, recordedAt: Self.recordedAt)

        let db = try Connection(path: path)
        #expect(throws: (any Error).self) { try db.execute("UPDATE bad_review_steps SET text = 'changed'") }
        #expect(throws: (any Error).self) {  // a verification without its verdict
            try db.execute("INSERT INTO bad_review_steps VALUES ('\(review.evaluationId)', 2, 'verify', '2026-03-03', 0, 'x', NULL, NULL, NULL, 'r')")
        }
        #expect(throws: (any Error).self) {  // an unknown kind
            try db.execute("INSERT INTO bad_review_steps VALUES ('\(review.evaluationId)', 2, 'undo', '2026-03-03', 0, 'x', NULL, NULL, NULL, 'r')")
        }
        #expect(try ledger.followUp(of: review.evaluationId)?.records.map(\.step.text) == ["误按"])
    }

    @Test func theIdentityIsPurgedOnceTheCallBackIsDone() throws {
        let directory = try TemporaryDirectory(prefix: "followup")
        defer { directory.remove() }
        let ledger = try LedgerFile(path: directory.path("queue.db"))
        let review = F.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00", evaluator: Self.named)
        let id = review.evaluationId
        try ledger.recordBadReview(review, policy: Self.policy)
        try ledger.appendFollowUpStep(Self.step(.verify(.valid, reason: "属实"), "2026-03-02"), to: id, recordedAt: Self.recordedAt)
        try ledger.appendFollowUpStep(Self.step(.rectify(measures: "培训"), "2026-03-03"), to: id, recordedAt: Self.recordedAt)
        try ledger.appendFollowUpStep(Self.step(.feedback(note: "电话告知"), "2026-03-03"), to: id, recordedAt: Self.recordedAt)
        #expect(try ledger.badReviews().first?.evaluator != nil)  // the call-back still needs it

        let unreachable = try ledger.appendFollowUpStep(Self.step(.callBack(.unreachable, note: "无人接听"), "2026-03-04", by: "lili"), to: id, recordedAt: Self.recordedAt)
        #expect(unreachable.identityStored && unreachable.followUp.callBackRetryNeeded)
        #expect(try ledger.badReviews().first?.evaluator?.userName.revealed == "王小明")

        let done = try ledger.appendFollowUpStep(Self.step(.callBack(.satisfied, note: "满意"), "2026-03-05", by: "lili"), to: id, recordedAt: Self.recordedAt)
        #expect(done.followUp.stage == .closed && !done.identityStored)
        #expect(try ledger.badReviews().first?.evaluator == nil)
        #expect(try ledger.followUp(of: id)?.identityStored == false)
    }

    @Test func aMistakenRealNameReviewNeedsNoIdentity() throws {
        let directory = try TemporaryDirectory(prefix: "followup")
        defer { directory.remove() }
        let ledger = try LedgerFile(path: directory.path("queue.db"))
        let review = F.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00", evaluator: Self.named)
        try ledger.recordBadReview(review, policy: Self.policy)
        let closed = try ledger.appendFollowUpStep(Self.step(.verify(.malicious, reason: "恶意差评"), "2026-03-02"), to: review.evaluationId, recordedAt: Self.recordedAt)
        #expect(closed.followUp.stage == .closed && !closed.followUp.countsInRates && !closed.identityStored)
    }
}
