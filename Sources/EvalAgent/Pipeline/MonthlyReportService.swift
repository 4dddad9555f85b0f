import EvalConcurrency
import EvalCore
import EvalOperator
import EvalQueue
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// `[report] monthly_dir` (issue 28): on the first working day of a month
/// (official calendar), last month's 通报 is written into the directory and
/// the alert command runs with event `report-ready`. Looks after every start
/// and each Shanghai midnight, on trusted time only; whether a month is due is
/// `MonthlyReportSchedule`'s pure decision, its files are the set `evalctl
/// report` writes.
struct MonthlyReportService: Service {
    let queue: EvaluationQueue
    let directory: String
    let calendar: WorkingDayCalendar
    let alert: AlertCommandConfiguration?
    let runner: AlertCommandRunner
    let clockWatch: ClockWatch
    let wake: Doorbell<ContinuousClock>
    let logger: Logger

    func run() async throws {
        await runDailyPasses(clockWatch: clockWatch, wake: wake) { _ = await pass(now: $0) }
    }

    /// One look at `now`: the month written (and alerted), or nil.
    func pass(now: Date) async -> ReportPeriod? {
        let today = ShanghaiTime.civilDate(now)
        let html = { (period: ReportPeriod) in
            FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(MonthlyReportSchedule.baseName(period) + ".html"))
        }
        guard let period = MonthlyReportSchedule.due(today: today, calendar: calendar, alreadyWritten: html) else { return nil }
        let files: [String]
        let model: ReportModel
        do {
            let rows = try queue.rollup(from: period.previous.from, to: period.to)
            let histories = try await queue.followUps(since: ShanghaiTime.startOfDay(period.from),
                                                      until: ShanghaiTime.startOfDay(period.to.adding(days: 1)))
            model = ReportModel(period: period, grouping: .window, rows: rows, previousRows: rows,
                                overdue: ReportSource.overdue(histories, today: today))
            files = try ReportFiles.write(model, rollup: rows, source: ProcessInfo.processInfo.hostName, generated: ShanghaiTime.format(now),
                                          directory: directory, baseName: MonthlyReportSchedule.baseName(period))
        } catch {
            logger.error("monthly report \(period.label): cannot write it into \(directory): \(error); trying again within the hour")
            return nil
        }
        logger.notice("monthly report \(period.label) written: \(files.joined(separator: ", "))")
        if let alert {
            let payload: [String: Any] = [
                "event": "report-ready", "period": period.label, "files": files,
                "served": model.overall.served, "rated": model.overall.rated, "overdue": model.overdue.count,
            ]
            let json = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            let outcome = await runner.run(alert.command, stdin: Array(json) + [0x0A], timeout: alert.timeout)
            if !outcome.succeeded { logger.error("report-ready alert command failed: \(outcome)") }
        }
        return period
    }
}

extension MonthlyReportService {
    /// The service when `[report] monthly_dir` is set (DaemonParts' one-line hook), else none.
    static func named(_ configuration: AgentConfiguration, queue: EvaluationQueue, calendar: WorkingDayCalendar,
                      clockWatch: ClockWatch) -> [DaemonParts.Named] {
        guard let directory = configuration.report.monthlyDirectory else { return [] }
        return [DaemonParts.Named(name: "monthly-report", service: MonthlyReportService(
            queue: queue, directory: directory, calendar: calendar, alert: configuration.alertConfiguration, runner: AlertCommandRunner(),
            clockWatch: clockWatch, wake: Doorbell(clock: ContinuousClock()), logger: Logger(label: "evald.report")))]
    }
}
