import EvalAgent
import EvalCore
import Testing

@Suite struct FollowUpGaugesTests {
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func openOverdueAndRatesAreRenderedAsGauges() async throws {
        var rectified = BadReviewFollowUp(.init(ratedOn: Self.day("2026-03-02"), realName: false), calendar: .mondayToFriday)
        try rectified.apply(FollowUpStep(.verify(.valid, reason: "属实"), on: Self.day("2026-03-02"), by: "x"))
        try rectified.apply(FollowUpStep(.rectify(measures: "培训"), on: Self.day("2026-03-03"), by: "x"))
        let late = BadReviewFollowUp(.init(ratedOn: Self.day("2026-03-02"), realName: false), calendar: .mondayToFriday)
        let metrics = AgentMetrics()
        let gauges = FollowUpGauges([rectified, late], today: Self.day("2026-03-24"))
        metrics.setFollowUpGauges { gauges }
        let text = await metrics.render()
        #expect(text.contains("evald_bad_reviews_open 2"))
        #expect(text.contains("evald_bad_reviews_overdue 1"))
        #expect(text.contains("# TYPE evald_bad_review_rectification_ratio gauge\nevald_bad_review_rectification_ratio 0.5"))
        #expect(!text.contains("evald_bad_review_call_back_ratio"))  // nothing real-name: no rate, not 100 %
    }
}
