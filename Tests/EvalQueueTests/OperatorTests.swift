import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

@Suite("Operator: filters and repairs from a second connection")
struct OperatorTests {
    @Test func listFiltersByEveryOperatorField() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let early = SampleEvaluation.make(rating: .dissatisfied, window: "W01", at: QueueFixture.start, projectNo: "P-1")
        var defaulted = SampleEvaluation.make(rating: .basicallySatisfied, window: "W02", at: QueueFixture.start.addingTimeInterval(3600))
        defaulted.evaluationType = .defaulted
        let late = SampleEvaluation.make(rating: .dissatisfied, window: "W02", at: QueueFixture.start.addingTimeInterval(7200))
        for evaluation in [early, defaulted, late] { try await queue.enqueue(evaluation) }

        func ids(_ query: QueueListQuery) throws -> [EvaluationID] { try queue.list(query).map(\.id) }
        #expect(try ids(QueueListQuery(rating: .dissatisfied)) == [early.evaluationId, late.evaluationId])
        #expect(try ids(QueueListQuery(evaluationType: .defaulted)) == [defaulted.evaluationId])
        #expect(try ids(QueueListQuery(projectNo: "P-1")) == [early.evaluationId])
        #expect(try ids(QueueListQuery(assessedSince: QueueFixture.start.addingTimeInterval(1),
                                       assessedBefore: QueueFixture.start.addingTimeInterval(7200))) == [defaulted.evaluationId])
        #expect(try ids(QueueListQuery(state: .pending, windowCode: "W02", order: .newestFirst)) == [late.evaluationId, defaulted.evaluationId])
    }

    @Test func findsACitizensRatingOfACaseForTheDefaultRatingPass() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        var defaulted = SampleEvaluation.make(rating: .basicallySatisfied, projectNo: "CASE-1")
        defaulted.evaluationType = .defaulted
        let rated = SampleEvaluation.make(rating: .satisfied, projectNo: "CASE-2")
        try await queue.enqueue(defaulted)
        try await queue.enqueue(rated)
        _ = try await queue.claim(limit: 10, now: fixture.now)
        try await queue.settle([.delivered(rated.evaluationId)], now: fixture.now)

        #expect(try queue.activeEvaluation(forProject: "CASE-2") == rated.evaluationId)
        #expect(try queue.activeEvaluation(forProject: "CASE-1") == nil)  // only a default: not a citizen's rating
        #expect(try queue.activeEvaluation(forProject: "CASE-3") == nil)
    }
}
