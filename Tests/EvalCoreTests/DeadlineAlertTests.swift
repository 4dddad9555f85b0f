import EvalCore
import Foundation
import Testing

/// Issue 14, item 3: a local alert when a rectification deadline is near and
/// when it passes, on the working-day calendar, each given once per deadline.
@Suite struct DeadlineAlertTests {
    static let calendar = FollowUpFixtureTests.shippedCalendar()
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }
    static let id = EvaluationID.make(at: Date(timeIntervalSince1970: 1_790_000_000))

    /// Rated on Wednesday 2026-09-30, the day before the National Day holiday
    /// (2026-10-01…07; Saturday 10-10 is a make-up working day): 15 working days end on 2026-10-27.
    static func review(realName: Bool = true) -> BadReviewFollowUp {
        BadReviewFollowUp(.init(ratedOn: day("2026-09-30"), realName: realName), calendar: calendar)
    }

    static func due(_ followUp: BadReviewFollowUp, on today: String, near: Int = 3,
                    given: Set<DeadlineAlert.Key> = []) -> [DeadlineAlert] {
        DeadlineAlert.due([(id, followUp)], today: day(today), calendar: calendar, nearWorkingDays: near, alreadyGiven: given)
    }

    @Test func theDeadlineCountsWorkingDaysAcrossTheHoliday() {
        #expect(Self.review().deadline == Self.day("2026-10-27"))
    }

    @Test func nearWithinTheConfiguredWorkingDaysThenPassedAfterTheDeadline() {
        let followUp = Self.review()
        #expect(Self.due(followUp, on: "2026-10-21").isEmpty, "four working days left: not near yet")
        let near = Self.due(followUp, on: "2026-10-22")
        #expect(near == [DeadlineAlert(evaluationId: Self.id, kind: .near, deadline: Self.day("2026-10-27"), workingDaysLeft: 3)])
        // The weekend between is not counted: Friday has 2 working days left, Monday 1.
        #expect(Self.due(followUp, on: "2026-10-23").map(\.workingDaysLeft) == [2])
        #expect(Self.due(followUp, on: "2026-10-26").map(\.workingDaysLeft) == [1])
        #expect(Self.due(followUp, on: "2026-10-27").map(\.kind) == [.near], "on the deadline itself it is near, not passed")
        let passed = Self.due(followUp, on: "2026-10-28")
        #expect(passed == [DeadlineAlert(evaluationId: Self.id, kind: .passed, deadline: Self.day("2026-10-27"), workingDaysLeft: -1)])
    }

    @Test func eachAlertIsGivenOncePerDeadlineAndAnExtensionIsAlertedAgain() throws {
        var followUp = Self.review()
        try followUp.apply(FollowUpStep(.verify(.valid, reason: "属实"), on: Self.day("2026-10-08"), by: "wangfang"))
        let near = try #require(Self.due(followUp, on: "2026-10-22").first)
        #expect(Self.due(followUp, on: "2026-10-26", given: [near.key]).isEmpty)
        try followUp.apply(FollowUpStep(.extend(until: Self.day("2026-11-20"), explanation: "设备待采购"), on: Self.day("2026-10-26"), by: "wangfang"))
        #expect(Self.due(followUp, on: "2026-10-28", given: [near.key]).isEmpty, "the new deadline is weeks away")
        #expect(Self.due(followUp, on: "2026-11-18", given: [near.key]).map(\.deadline) == [Self.day("2026-11-20")])
    }

    @Test func rectifiedMistakenAndMaliciousReviewsGetNoAlert() throws {
        var rectified = Self.review()
        try rectified.apply(FollowUpStep(.verify(.valid, reason: "属实"), on: Self.day("2026-10-08"), by: "wangfang"))
        try rectified.apply(FollowUpStep(.rectify(measures: "已整改"), on: Self.day("2026-10-20"), by: "wangfang"))
        #expect(Self.due(rectified, on: "2026-10-28").isEmpty)
        for verdict in [Verification.mistaken, .malicious] {
            var closed = Self.review()
            try closed.apply(FollowUpStep(.verify(verdict, reason: "监控核实"), on: Self.day("2026-10-08"), by: "wangfang"))
            #expect(Self.due(closed, on: "2026-10-28").isEmpty, "\(verdict)")
        }
    }
}
