import EvalCore
import Testing

/// The follow-up model beyond the fixtures: folding stored steps, the flat
/// fields the store and the control socket use, and the rates' arithmetic.
@Suite struct BadReviewFollowUpTests {
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }
    static let review = BadReviewFollowUp.Review(ratedOn: day("2026-03-02"), realName: true)
    static let steps = [
        FollowUpStep(.verify(.valid, reason: "属实"), on: day("2026-03-02"), by: "wangfang"),
        FollowUpStep(.extend(until: day("2026-04-15"), explanation: "待采购"), on: day("2026-03-05"), by: "wangfang"),
        FollowUpStep(.rectify(measures: "更换"), on: day("2026-04-01"), by: "wangfang"),
        FollowUpStep(.feedback(note: "告知"), on: day("2026-04-01"), by: "wangfang"),
        FollowUpStep(.callBack(.unreachable, note: "无人接听"), on: day("2026-04-02"), by: "lili"),
        FollowUpStep(.callBack(.notSatisfied, note: "仍不满意"), on: day("2026-04-03"), by: "lili"),
    ]

    @Test func foldingStepsGivesTheSameStateAsApplyingThem() throws {
        var applied = BadReviewFollowUp(Self.review, calendar: .mondayToFriday)
        for step in Self.steps { try applied.apply(step) }
        let folded = try BadReviewFollowUp(Self.review, deadline: Self.day("2026-03-23"), steps: Self.steps)
        #expect(folded == applied)
        #expect(folded.stage == .closed && folded.closedOn == Self.day("2026-04-03"))
        #expect(folded.callBackResult == .notSatisfied && folded.callBackDone && !folded.callBackRetryNeeded)
    }

    @Test func aRefusedStepLeavesTheStateAsItWas() {
        var followUp = BadReviewFollowUp(Self.review, calendar: .mondayToFriday)
        let before = followUp
        #expect(throws: FollowUpError.notAllowed) { try followUp.apply(Self.steps[2]) }
        #expect(followUp == before)
        #expect(throws: FollowUpError.beforePreviousStep) {
            try BadReviewFollowUp(Self.review, deadline: Self.day("2026-03-23"), steps: [Self.steps[0], Self.steps[1], FollowUpStep(.rectify(measures: "倒签"), on: Self.day("2026-03-04"), by: "x")])
        }
    }

    @Test func everyStepSurvivesItsFlatFields() {
        for step in Self.steps { #expect(FollowUpStep(step.fields) == step) }
        #expect(FollowUpStep(.init(kind: "verify", day: "2026-03-02", by: "x", text: "t")) == nil)  // no verdict
        #expect(FollowUpStep(.init(kind: "undo", day: "2026-03-02", by: "x", text: "t")) == nil)
        #expect(FollowUpStep(.init(kind: "rectify", day: "last monday", by: "x", text: "t")) == nil)
    }

    @Test func ratesLeaveMistakenReviewsOutAndAreNilWithNothingCounted() throws {
        let mistaken = try BadReviewFollowUp(Self.review, deadline: Self.day("2026-03-23"),
                                             steps: [FollowUpStep(.verify(.mistaken, reason: "误按"), on: Self.day("2026-03-02"), by: "x")])
        let none = RectificationRates([mistaken])
        #expect(none.counted == 0 && none.rectificationRate == nil && none.callBackRate == nil)

        let done = try BadReviewFollowUp(Self.review, deadline: Self.day("2026-03-23"), steps: Self.steps)
        let open = BadReviewFollowUp(.init(ratedOn: Self.day("2026-03-03"), realName: false), calendar: .mondayToFriday)
        let rates = RectificationRates([mistaken, done, open])
        #expect(rates.rectificationRate == 0.5 && rates.callBackRate == 1)
    }
}
