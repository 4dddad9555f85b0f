import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue 26: a 追评 is taken for a case already rated, within its days, once,
/// as `assessNumber` 2; it never makes the case rated a second time.
@Suite struct FollowUpRatingStoreTests {
    static func followUp(_ projectNo: String, at date: Date, rating: Rating = .verySatisfied) -> Evaluation {
        var evaluation = SampleEvaluation.make(rating: rating, at: date, projectNo: projectNo)
        evaluation.assessNumber = .followUp
        evaluation.evalDetail = [510]
        return evaluation
    }

    @Test func aRatedCaseTakesOneFollowUpWithinItsDays() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let first = SampleEvaluation.make(rating: .dissatisfied, at: fixture.now, projectNo: "P-FU-1")
        try await queue.enqueue(first, ledger: CaseLedgerUpdate(first, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))

        fixture.clock.advance(by: 3 * 86_400)
        let followUp = Self.followUp("P-FU-1", at: fixture.now)
        #expect(try await queue.enqueueFollowUp(followUp, withinDays: 15) == .enqueued)
        let stored = try #require(try queue.record(followUp.evaluationId))
        #expect(stored.evaluation.assessNumber == .followUp)
        #expect(stored.evaluation.evalDetail == [510])

        // One per case; the case stays rated by its first evaluation.
        #expect(try await queue.enqueueFollowUp(Self.followUp("P-FU-1", at: fixture.now), withinDays: 15)
                == .alreadyFollowedUp(evaluationId: followUp.evaluationId.description))
        #expect(try await queue.caseState(of: "P-FU-1") == .rated)
        #expect(try queue.activeEvaluation(forProject: "P-FU-1") == first.evaluationId)
    }

    @Test func anUnratedOrLateCaseIsRefused() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        #expect(try await queue.enqueueFollowUp(Self.followUp("P-NONE", at: fixture.now), withinDays: 15) == .notRated)
        let first = SampleEvaluation.make(rating: .satisfied, at: fixture.now, projectNo: "P-FU-2")
        try await queue.enqueue(first, ledger: CaseLedgerUpdate(first, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
        fixture.clock.advance(by: 16 * 86_400)
        let late = try await queue.enqueueFollowUp(Self.followUp("P-FU-2", at: fixture.now), withinDays: 15)
        #expect(late == .tooLate(firstRatedAt: first.assessedAt))
        #expect(try await queue.claim(limit: 10, now: fixture.now).map(\.evaluation.evaluationId) == [first.evaluationId])
    }

    @Test func theFirstRatingIsFoundAfterItsRecordWasPruned() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(deliveredRetentionDays: 1))
        defer { queue.close() }
        let first = SampleEvaluation.make(rating: .satisfied, at: fixture.now, projectNo: "P-FU-3")
        try await queue.enqueue(first, ledger: CaseLedgerUpdate(first, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
        _ = try await queue.claim(limit: 1, now: fixture.now)
        try await queue.settle([.delivered(first.evaluationId)], now: fixture.now)
        fixture.clock.advance(by: 2 * 86_400)
        #expect(try await queue.prune(now: fixture.now).deleted == 1)
        #expect(try await queue.enqueueFollowUp(Self.followUp("P-FU-3", at: fixture.now), withinDays: 15) == .enqueued)
    }

    @Test func aBadFollowUpIsABadReviewInTheLedgerWithItsReasons() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let first = SampleEvaluation.make(rating: .satisfied, at: fixture.now, projectNo: "P-FU-4")
        try await queue.enqueue(first, ledger: CaseLedgerUpdate(first, badReviewPolicy: policy))
        var followUp = Self.followUp("P-FU-4", at: fixture.now, rating: .dissatisfied)
        followUp.evalDetail = [213]
        #expect(try await queue.enqueueFollowUp(followUp, withinDays: 15, badReviewPolicy: policy) == .enqueued)
        let entries = try QueueReader(path: fixture.path).badReviews()
        #expect(entries.map(\.evaluationId) == [followUp.evaluationId])
        #expect(entries.first?.evalDetail == [213])
    }
}
