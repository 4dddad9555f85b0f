import EvalConcurrency
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Logging
import Testing
@testable import EvalAgent

/// Issue 28 item 6: last month's 通报 on the first working day of the month.
@Suite struct MonthlyReportTests {
    static func official() throws -> WorkingDayCalendar {
        let url = BuiltProducts.packageRoot.appendingPathComponent("config/calendars/2026.json")
        let file = try #require(CalendarYearFiles.yearFile(named: "2026.json", data: try Data(contentsOf: url)).file)
        return WorkingDayCalendar(years: [file])
    }

    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func dueOnTheFirstWorkingDayOfTheOfficialCalendar() throws {
        let calendar = try Self.official()
        let never: (ReportPeriod) -> Bool = { _ in false }
        // 国庆 2026: 1–7 October off, so September's report is due on Thursday the 8th.
        #expect(MonthlyReportSchedule.firstWorkingDay(year: 2026, month: 10, calendar: calendar) == Self.day("2026-10-08"))
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-10-07"), calendar: calendar, alreadyWritten: never) == nil)
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-10-08"), calendar: calendar, alreadyWritten: never)?.label == "2026-09")
        // 元旦 2026: 1–3 January off, Sunday the 4th worked instead (调休): due that Sunday.
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-01-03"), calendar: calendar, alreadyWritten: never) == nil)
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-01-04"), calendar: calendar, alreadyWritten: never)?.label == "2025-12")
        // Stopped that day: written the next time it looks, within the month; once written, never again.
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-10-20"), calendar: calendar, alreadyWritten: never)?.label == "2026-09")
        #expect(MonthlyReportSchedule.due(today: Self.day("2026-10-20"), calendar: calendar, alreadyWritten: { $0.label == "2026-09" }) == nil)
    }

    @Test func writesLastMonthsFilesAndRunsTheAlertCommandOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: dir.path("queue.db")))
        defer { queue.close() }
        let window = WindowConfiguration(areaCode: "533103", deptCode: "D1", hallCode: "H01", windowCode: "W01")
        let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)
        for (i, rating) in [Rating.verySatisfied, .satisfied, .dissatisfied].enumerated() {
            let opened = ShanghaiTime.parse("2026-11-1\(i) 09:00:00")!
            let opening = CaseOpening(ticket: CaseTicket(projectNo: "P\(i)"), window: window, staff: [StaffMember(loginName: "zw", name: "张伟")],
                                      openedAt: opened)
            try await queue.openCase(opening, due: scheduler.due(openedAt: opened))
            let e = Evaluation(satisfaction: rating, assessedAt: opened.addingTimeInterval(60), areaCode: "533103", deptCode: "D1", hallCode: "H01",
                               windowCode: "W01", deviceId: "kbd", projectNo: "P\(i)", evaluatedPersons: opening.staff)
            try await queue.enqueue(e, ledger: try CaseLedgerUpdate(e, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
        }
        let alertOut = dir.path("alert.json")
        let service = MonthlyReportService(
            queue: queue, directory: dir.path("reports"), calendar: try Self.official(),
            alert: AlertCommandConfiguration(command: ["/bin/sh", "-c", "cat >> '\(alertOut)'"]), runner: AlertCommandRunner(),
            clockWatch: ClockWatch(), wake: Doorbell(clock: ContinuousClock()), logger: Logger(label: "test"))
        // 30 November: October's, never written (evald was stopped on 2 November): caught up within its month.
        #expect(await service.pass(now: ShanghaiTime.parse("2026-11-30 10:00:00")!)?.label == "2026-10")
        #expect(await service.pass(now: ShanghaiTime.parse("2026-11-30 23:59:00")!) == nil)
        // 1 December, a Tuesday: November's report.
        #expect(await service.pass(now: ShanghaiTime.parse("2026-12-01 00:00:05")!)?.label == "2026-11")
        for ext in ["html", "xlsx", "csv", "json"] {
            #expect(FileManager.default.fileExists(atPath: dir.path("reports/tongbao-2026-11.\(ext)")), "\(ext)")
        }
        #expect(await service.pass(now: ShanghaiTime.parse("2026-12-01 12:00:00")!) == nil, "once")
        let lines = try String(contentsOfFile: alertOut, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(payload["event"] as? String == "report-ready" && payload["period"] as? String == "2026-11")
        #expect(payload["served"] as? Int == 3 && payload["rated"] as? Int == 3)
        let html = try String(contentsOfFile: dir.path("reports/tongbao-2026-11.html"), encoding: .utf8)
        #expect(html.contains("好差评通报 2026-11"))
    }
}
