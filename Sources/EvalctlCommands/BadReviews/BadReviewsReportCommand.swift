import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct BadReviewsReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The periodic report (通报): per window and per staff counts, 整改率, 回访率, overdue items."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var range: DateRange
    @Option(help: "The month of the ratings (YYYY-MM, Asia/Shanghai); instead of --since/--until.")
    var month: String?
    @Option(help: .hidden)
    var today: CivilDate?
    @Flag(help: "Machine-readable output.")
    var json = false
    @Flag(help: "Comma-separated values, one line per group.")
    var csv = false
    @OptionGroup var table: TableOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if month != nil && (range.since != nil || range.until != nil) { throw ValidationError("--month or --since/--until, not both") }
        if let month, Self.bounds(month) == nil { throw ValidationError("--month: expected YYYY-MM, got \(month)") }
    }

    /// The first instant of the month and of the next one.
    static func bounds(_ month: String) -> (Date, Date)? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...12).contains(number) else { return nil }
        let first = CivilDate(year: year, month: number, day: 1)
        let next = number == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: number + 1, day: 1)
        return (ShanghaiTime.startOfDay(first), ShanghaiTime.startOfDay(next))
    }

    func run() throws {
        let context = try options.context()
        let (since, until) = month.flatMap(Self.bounds).map { ($0.0 as Date?, $0.1 as Date?) } ?? (range.sinceDate, range.untilDate)
        let histories = try context.reader().followUps(since: since, until: until)
        let day = civilToday(today)
        let calendar = context.configuration.workingDayCalendar().calendar
        let total = FollowUpTally(histories, today: day)
        let windows = Dictionary(grouping: histories, by: \.windowCode).sorted { $0.key < $1.key }.map { ($0.key, FollowUpTally($0.value, today: day)) }
        let staff = Dictionary(grouping: histories) { $0.staffLogin ?? "-" }.sorted { $0.key < $1.key }.map { ($0.key, FollowUpTally($0.value, today: day)) }
        let overdue = histories.filter { $0.followUp.isOverdue(at: day) }
        let offline = try Self.defaultsWithEvaluatorOffline(context.reader(), since: since, until: until, today: day)

        if json {
            var object: [String: Any] = [
                "since": Output.isoTime(since), "until": Output.isoTime(until), "asOf": day.description,
                "total": total.json,
                "windows": windows.map { key, tally in tally.json.merging(["window": key]) { $1 } },
                "staff": staff.map { key, tally in tally.json.merging(["staff": key]) { $1 } },
            ]
            object["overdue"] = overdue.map { FollowUpPresentation.json($0, today: day, calendar: calendar) }
            object["defaultsEvaluatorOffline"] = offline.map { ["window": $0.window, "defaults": $0.defaults, "evaluatorOffline": $0.offline] }
            print(Output.json(object))
        } else if csv {
            let rows = [FollowUpTally.csvHeader, total.csv(group: "total", key: "")]
                + windows.map { $1.csv(group: "window", key: $0) } + staff.map { $1.csv(group: "staff", key: $0) }
            print(rows.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n"))
        } else {
            let period = month ?? "\(range.since ?? "start") … \(range.until ?? "now")"
            print("bad reviews rated \(period), as of \(day)")
            let rows = [total.textRow("all")] + windows.map { $1.textRow("window \($0)") } + staff.map { $1.textRow("staff \($0)") }
            print(TextTable(header: FollowUpTally.textHeader, rows: rows, optional: FollowUpTally.textOptional).render(width: table.width),
                  terminator: "")
            if overdue.isEmpty {
                print("no overdue rectification")
            } else {
                print("overdue:")
                for history in overdue {
                    let id = table.wide ? history.evaluationId.description : RecordPresentation.shortId(history.evaluationId)
                    print("  \(id)  window \(history.windowCode)  staff \(history.staffLogin ?? "-")  deadline \(history.followUp.deadline)")
                }
            }
            if offline.isEmpty {
                print("no default rating while a window's evaluator was offline")
            } else {
                print("default ratings while the window's evaluator was offline (nobody could rate):")
                for window in offline { print("  window \(window.window)  \(window.offline) of \(window.defaults) defaults") }
            }
        }
    }

    /// The 台账's context (issue 25): per window, the period's default ratings
    /// and how many of them fell due while the window had no evaluator online,
    /// from the rollup (it outlives the records). Windows with none are left out.
    static func defaultsWithEvaluatorOffline(_ reader: QueueReader, since: Date?, until: Date?, today: CivilDate)
        throws -> [(window: String, defaults: Int, offline: Int)] {
        let from = since.map(ShanghaiTime.civilDate) ?? CivilDate(year: 2000, month: 1, day: 1)
        let to = until.map { ShanghaiTime.civilDate($0.addingTimeInterval(-1)) } ?? today
        guard from <= to else { return [] }
        let counts = Dictionary(grouping: try reader.rollup(from: from, to: to), by: \.key.windowCode)
            .mapValues { $0.reduce(RollupRow.Counts()) { $0 + $1.counts } }
        return counts.filter { $0.value.defaultsEvaluatorOffline > 0 }.sorted { $0.key < $1.key }
            .map { (window: $0.key, defaults: $0.value.defaults, offline: $0.value.defaultsEvaluatorOffline) }
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
