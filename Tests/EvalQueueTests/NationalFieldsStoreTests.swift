import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue 26: the reasons and the national fields are typed columns
/// (migration fields-001), read back equal, erased with the identity; an
/// evaluation held for its reasons is stored at the press and released by a
/// state change, so a restart during the window loses nothing.
@Suite struct NationalFieldsStoreTests {
    static func national() -> NationalFields {
        var national = NationalFields()
        national.version = "2"
        national.serviceNumber = "SN-0042"
        national.taskType = "2"
        national.promisetime = "5"
        national.applyTime = "2026-03-02 09:00:00"
        national.userPageType = "111"
        national.dataSource = "evald"
        national.mobile = PersonalData("13912345678")
        national.handleUserName = PersonalData("欧阳代办人")
        national.handleUserPageType = PersonalData("111")
        national.handleUserPageCode = PersonalData("HANDLEME5X8")
        return national
    }

    @Test func everyFieldIsStoredAndReadBackEqual() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        var evaluation = SampleEvaluation.make(rating: .dissatisfied, at: fixture.now)
        evaluation.evalDetail = [213, 214]
        evaluation.writingEvaluation = PersonalData("等候太久，态度生硬")
        evaluation.national = Self.national()
        let plain = SampleEvaluation.make(rating: .satisfied, at: fixture.now)
        try await queue.enqueue(evaluation)
        try await queue.enqueue(plain)
        #expect(try queue.record(evaluation.evaluationId)?.evaluation == evaluation)
        #expect(try queue.record(plain.evaluationId)?.evaluation == plain)
        let claimed = try await queue.claim(limit: 10, now: fixture.now).map(\.evaluation)
        #expect(claimed.contains(evaluation))
    }

    @Test func personalFieldsAreErasedWithTheIdentity() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(personalDataRetention: 86_400))
        defer { queue.close() }
        var evaluation = SampleEvaluation.make(rating: .dissatisfied, at: fixture.now)
        evaluation.writingEvaluation = PersonalData("WORDSERASE9Q")
        evaluation.national = Self.national()
        try await queue.enqueue(evaluation)
        _ = try await queue.claim(limit: 1, now: fixture.now)
        try await queue.settle([.delivered(evaluation.evaluationId)], now: fixture.now)
        #expect(ErasureTests.onDisk("HANDLEME5X8", at: fixture.path) != [])
        fixture.clock.advance(by: 2 * 86_400)
        #expect(try await queue.prune(now: fixture.now).personalDataPurged == 1)
        let kept = try #require(try queue.record(evaluation.evaluationId))
        #expect(kept.personalDataPurgedAt != nil)
        #expect(kept.evaluation.writingEvaluation == nil)
        #expect(kept.evaluation.national?.mobile == nil)
        #expect(kept.evaluation.national?.handleUserName == nil)
        #expect(kept.evaluation.national?.serviceNumber == "SN-0042", "only the personal fields go")
        for secret in ["HANDLEME5X8", "WORDSERASE9Q", "13912345678", "欧阳代办人"] {
            #expect(ErasureTests.onDisk(secret, at: fixture.path) == [], "\(secret) still on disk")
        }
    }

    @Test func aHeldEvaluationWaitsForItsReasonsAndSurvivesARestart() async throws {
        let fixture = try QueueFixture()
        var queue = try fixture.open()
        var held = SampleEvaluation.make(rating: .veryDissatisfied, at: fixture.now)
        held.heldUntil = fixture.now.addingTimeInterval(60)
        try await queue.enqueue(held)
        #expect(try await queue.claim(limit: 10, now: fixture.now).isEmpty, "held during the detail window")

        // A restart during the window: the record is on disk, still held.
        queue.close()
        queue = try fixture.open()
        defer { queue.close() }
        #expect(try await queue.claim(limit: 10, now: fixture.now).isEmpty)

        #expect(try await queue.attachDetail(to: held.evaluationId, evalDetail: [108], writingEvaluation: PersonalData("很差")) == .attached)
        let claimed = try await queue.claim(limit: 10, now: fixture.now)
        #expect(claimed.map(\.evaluation.evalDetail) == [[108]])
        #expect(claimed.first?.evaluation.writingEvaluation?.revealed == "很差")
        // Once released (or sent), a late detail changes nothing.
        #expect(try await queue.attachDetail(to: held.evaluationId, evalDetail: [109], writingEvaluation: nil) == .notHeld)
        #expect(try await queue.attachDetail(to: EvaluationID.make(), evalDetail: [109], writingEvaluation: nil) == .notFound)
    }

    @Test func withoutADetailTheWindowsEndReleasesIt() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        var held = SampleEvaluation.make(rating: .satisfied, at: fixture.now)
        held.heldUntil = fixture.now.addingTimeInterval(30)
        try await queue.enqueue(held)
        #expect(try await queue.claim(limit: 10, now: fixture.now.addingTimeInterval(29)).isEmpty)
        let claimed = try await queue.claim(limit: 10, now: fixture.now.addingTimeInterval(30))
        #expect(claimed.map(\.evaluation.evaluationId) == [held.evaluationId])
        #expect(claimed.first?.evaluation.evalDetail == nil)
    }

    @Test func aBadReviewsReasonsReachItsLedgerRow() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        var held = SampleEvaluation.make(rating: .dissatisfied, at: fixture.now, projectNo: "P-REASON-1")
        held.heldUntil = fixture.now.addingTimeInterval(60)
        try await queue.enqueue(held, ledger: CaseLedgerUpdate(held, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
        #expect(try await queue.attachDetail(to: held.evaluationId, evalDetail: [213, 214], writingEvaluation: nil) == .attached)

        let entry = try #require(try QueueReader(path: fixture.path).badReviews().first)
        #expect(entry.evalDetail == [213, 214])
        #expect(entry.evalDetail?.map(ReasonCatalog.national.display).joined(separator: ", ") == "213 业务不熟练, 214 态度生硬")
    }
}
