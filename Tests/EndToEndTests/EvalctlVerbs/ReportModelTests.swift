import EvalCore
import EvalOperator
import Foundation
import Testing

/// Issue 28: the 通报's figures from rollup rows, against values worked out by hand.
@Suite struct ReportModelTests {
    static func day(_ d: Int, month: Int = 11) -> CivilDate { CivilDate(year: 2026, month: month, day: d) }

    static func counts(served: Int = 0, active: [Int] = [0, 0, 0, 0, 0], defaults: Int = 0, filtered: Int = 0, bad: Int = 0,
                       callBacksNeeded: Int = 0, rectified: Int = 0, calledBack: Int = 0, overdue: Int = 0, mistaken: Int = 0) -> RollupRow.Counts {
        var c = RollupRow.Counts()
        c.served = served; c.active = active; c.defaults = defaults; c.filtered = filtered; c.bad = bad
        c.callBacksNeeded = callBacksNeeded; c.rectified = rectified; c.calledBack = calledBack; c.overdue = overdue; c.mistaken = mistaken
        return c
    }

    /// The fixture month: W01 (zhang) and W02 (li) of department D1, a filtered
    /// row with no staff, and October's W01 for the change.
    static let rows: [RollupRow] = [
        RollupRow(key: .init(day: day(2), windowCode: "W01", staffLogin: "zhang", deptCode: "D1", taskCode: "T1", pf: 5),
                  hallCode: "H01", staffName: "张伟", deptName: "政务局", taskName: "不动产登记",
                  counts: counts(served: 10, active: [4, 3, 1, 1, 1], defaults: 2, bad: 2, callBacksNeeded: 1, rectified: 1, calledBack: 1)),
        RollupRow(key: .init(day: day(3), windowCode: "W02", staffLogin: "li", deptCode: "D1", taskCode: "T2", pf: 5),
                  hallCode: "H01", staffName: "李娜", deptName: "政务局", taskName: "户籍",
                  counts: counts(served: 8, active: [2, 2, 0, 0, 0], defaults: 3)),
        RollupRow(key: .init(day: day(3), windowCode: "W02"), counts: counts(filtered: 5)),
        RollupRow(key: .init(day: day(15, month: 10), windowCode: "W01", staffLogin: "zhang", deptCode: "D1", taskCode: "T1", pf: 5),
                  counts: counts(served: 5, active: [1, 1, 1, 1, 1])),
    ]

    @Test func ratesOverAFixtureMonthMatchHandComputedValues() throws {
        let report = ReportModel(period: ReportPeriod.month("2026-11")!, grouping: .window, rows: Self.rows, previousRows: Self.rows)
        #expect(report.rows.map(\.key) == ["W01", "W02"])
        let w1 = report.rows[0].figures, w2 = report.rows[1].figures
        // W01: 10 served, 10 active + 2 defaults = 12 rated; 4+3+1 active and 2 defaults satisfied.
        #expect(w1.served == 10 && w1.rated == 12)
        #expect(w1.participation == 1.0)
        #expect(w1.satisfactionRate == 10.0 / 12.0)
        #expect(w1.badReviewRate == 2.0 / 12.0)
        #expect(w1.defaultShare == 2.0 / 12.0)
        #expect(w1.rectificationRate == 0.5)
        #expect(w1.callBackRate == 1.0)
        // W02: 8 served, 4 active, 3 defaults; no bad review: the follow-up rates are "—", not 100 %.
        #expect(w2.participation == 0.5 && w2.satisfactionRate == 1.0 && w2.badReviewRate == 0 && w2.defaultShare == 3.0 / 7.0)
        #expect(w2.rectificationRate == nil && w2.callBackRate == nil)
        #expect(w2.counts.filtered == 5)
        let all = report.overall
        #expect(all.served == 18 && all.rated == 19 && all.active == 14)
        #expect(all.participation == 14.0 / 18.0 && all.satisfactionRate == 17.0 / 19.0 && all.badReviewRate == 2.0 / 19.0)
        #expect(all.defaultShare == 5.0 / 19.0)
        // October: 3 of 5 satisfied → 60 %; W01 went from 60 % to 83.3 %.
        #expect(report.previousOverall?.satisfactionRate == 0.6)
        #expect(ReportFigures.points(w1.satisfactionRate, report.rows[0].previous?.satisfactionRate) == "+23.3")
        #expect(ReportFigures.percent(all.participation) == "77.8%" && ReportFigures.percent(nil) == "—")
        #expect(report.days.count == 30 && report.days[1].figures.rated == 12)
    }

    @Test func groupsByStaffDeptTaskAndDay() {
        let period = ReportPeriod.month("2026-11")!
        #expect(ReportModel(period: period, grouping: .staff, rows: Self.rows).rows.map(\.label) == ["(none)", "李娜(li)", "张伟(zhang)"])
        #expect(ReportModel(period: period, grouping: .dept, rows: Self.rows).rows.map(\.label) == ["(none)", "政务局"])
        #expect(ReportModel(period: period, grouping: .task, rows: Self.rows).rows.map(\.label) == ["(none)", "不动产登记", "户籍"])
        #expect(ReportModel(period: period, grouping: .day, rows: Self.rows).rows.map(\.key) == ["2026-11-02", "2026-11-03"])
    }

    @Test func periodsAndTheirPredecessors() {
        #expect(ReportPeriod.month("2026-11")?.previous.label == "2026-10")
        #expect(ReportPeriod.month("2026-01")?.previous.label == "2025-12")
        #expect(ReportPeriod.quarter("2026Q1")?.previous.label == "2025Q4")
        #expect(ReportPeriod.quarter("2026Q4").map { "\($0.from)…\($0.to)" } == "2026-10-01…2026-12-31")
        #expect(ReportPeriod.year(2026).previous.label == "2025")
        let days = ReportPeriod(from: Self.day(11), to: Self.day(20))
        #expect(days.previous.from == Self.day(1) && days.previous.to == Self.day(10))
        #expect(ReportPeriod.month("2026-13") == nil && ReportPeriod.quarter("2026Q5") == nil)
    }

    @Test func textTableFitsEightyColumns() {
        let report = ReportModel(period: ReportPeriod.month("2026-11")!, grouping: .staff, rows: Self.rows, previousRows: Self.rows,
                                 overdue: [.init(evaluationId: "0192f0c4-0000-7000-8000-000000000001", windowCode: "W01", staffLogin: "zhang",
                                                 ratedOn: Self.day(2), deadline: Self.day(23))])
        let text = ReportText.render(report, width: 80)
        for line in text.split(separator: "\n") { #expect(TextTable.width(String(line)) <= 80, "\(line)") }
        #expect(text.contains("张伟(zhang)") && text.contains("83.3%") && text.contains("0192f0c4"))
    }

    @Test func csvStartsWithAByteOrderMarkAndDefusesFormulas() {
        var rows = Self.rows
        rows[0].staffName = "=HYPERLINK(\"x\")"
        let csv = ReportCSV.render(ReportModel(period: ReportPeriod.month("2026-11")!, grouping: .staff, rows: rows))
        #expect(Array(csv.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(csv.contains("\"'=HYPERLINK(\"\"x\"\")(zhang)\""))
        #expect(csv.contains("all,合计,18,19,0.7778,0.8947,0.1053,0.2632,0.5,1.0,2,0,"))
    }

    @Test func mergeRefusesAWindowDayCountedTwice() throws {
        let a = ReportJSON.File(path: "a.json", source: "pc-a", rows: [Self.rows[0]], overdue: [])
        let b = ReportJSON.File(path: "b.json", source: "pc-b", rows: [Self.rows[1], Self.rows[2]], overdue: [])
        let merged = try ReportMerge.merge([a, b])
        #expect(merged.rows.count == 3)
        #expect(throws: ReportMerge.Overlap.self) { try ReportMerge.merge([a, b, a]) }
    }
}
