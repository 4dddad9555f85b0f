import EvalCore
import Foundation
import Testing

@Suite struct SessionDefaultRatingTests {
    static let calendar = CalendarTests.shipped().calendar
    static func at(_ text: String) -> Date { ShanghaiTime.parse(text)! }
    static let window = WindowConfiguration(areaCode: "533103", hallCode: "H01", windowCode: "W07", defaultTaskCode: "T0")

    @Test func fiveWorkingDaysInAPlainWeek() {
        let due = DefaultRatingScheduler(calendar: Self.calendar).due(openedAt: Self.at("2026-03-02 10:00:00"))
        #expect(due.lastDay == CivilDate("2026-03-09"))
        #expect(due.dueAt == Self.at("2026-03-10 00:00:00"))
        #expect(due.uncoveredYears.isEmpty)
    }

    @Test func theSpringFestivalPostponesTheDefault() {
        // Opened Thu 2026-02-12: Fri 13, Sat 14 (调休), then 15–23 off, Tue 24, Wed 25, Thu 26.
        let due = DefaultRatingScheduler(calendar: Self.calendar).due(openedAt: Self.at("2026-02-12 16:30:00"))
        #expect(due.lastDay == CivilDate("2026-02-26"))
        #expect(due.dueAt == Self.at("2026-02-27 00:00:00"))
    }

    @Test func aMissingYearIsReported() {
        let due = DefaultRatingScheduler(calendar: Self.calendar).due(openedAt: Self.at("2026-12-30 09:00:00"))
        #expect(due.uncoveredYears == [2027])
        #expect(due.lastDay == CivilDate("2027-01-06"))
    }

    @Test func theDefaultEvaluation() {
        let opening = CaseOpening(ticket: CaseTicket(projectNo: "P1", taskCode: "T1", taskName: "户籍"), window: Self.window,
                                  staff: [StaffMember(loginName: "lisi", name: "李四")], deviceId: "kbd-1", openedAt: Self.at("2026-03-02 10:00:00"))
        let id = EvaluationID.make(at: Self.at("2026-03-10 00:00:00"))
        let evaluation = DefaultRatingScheduler.evaluation(for: opening, dueAt: Self.at("2026-03-10 00:00:00"), id: id)
        #expect(evaluation.satisfaction == .basicallySatisfied)
        #expect(evaluation.evaluationType == .defaulted)
        #expect(evaluation.assessTime == "2026-03-10 00:00:00")
        #expect(evaluation.projectNo == "P1" && evaluation.taskCode == "T1" && evaluation.taskName == "户籍")
        #expect(evaluation.evaluatedPersons == [StaffMember(loginName: "lisi", name: "李四")])
        #expect(evaluation.anonymityFlag == .anonymous)
        #expect(evaluation.deviceId == "kbd-1")
        #expect(evaluation.evaluationId == id)
    }

    @Test func rectificationDeadlineIsFifteenWorkingDays() {
        let policy = BadReviewPolicy(calendar: Self.calendar)
        let plain = Evaluation(satisfaction: .dissatisfied, assessedAt: Self.at("2026-03-02 09:00:00"), areaCode: "533103", windowCode: "W07", deviceId: "k")
        #expect(policy.rectificationDeadline(for: plain) == CivilDate("2026-03-23"))
        // Across 国庆 2025 with both 调休 days.
        var national = plain
        national.assessedAt = Self.at("2025-09-26 15:00:00")
        #expect(policy.rectificationDeadline(for: national) == CivilDate("2025-10-23"))
        #expect(!BadReviewPolicy.needsCallBack(plain))
        var named = plain
        named.evaluator = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
        #expect(BadReviewPolicy.needsCallBack(named))
    }

    @Test func endOfWorkingDay() {
        let policy = SessionPolicy(workdayEnd: TimeOfDay("18:00"))
        #expect(policy.endOfWorkingDay(after: Self.at("2026-03-02 09:00:00")) == Self.at("2026-03-02 18:00:00"))
        #expect(policy.endOfWorkingDay(after: Self.at("2026-03-02 18:00:00")) == Self.at("2026-03-03 00:00:00"))
        #expect(SessionPolicy().endOfWorkingDay(after: Self.at("2026-03-02 23:59:59")) == Self.at("2026-03-03 00:00:00"))
        #expect(TimeOfDay("24:00") == nil)
    }
}
