import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation

/// Issue 28: the rollup's size per window per year, and the time to build a
/// year's 通报 for a hall of 50 windows from it (read the rollup, compute the
/// report, render the table and the HTML page).
///
/// The year is written into `rollup_daily` directly, at the cardinality a busy
/// window gives: every working day, 2 staff members × 5 service items on one
/// channel plus the filtered presses' row — 11 rows per window and day.
/// (Written through the triggers it would take a million enqueues; the rows are the same.)
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "A year's report for 50 windows, and the rollup's bytes.")

    @Option(help: "Windows in the hall.")
    var windows = 50
    @Option(help: "Repetitions of the report build (the median is printed).")
    var repeats = 5
    @Option(help: "Also write November's report of the generated hall as an HTML page here (docs/report-example.png is its screenshot).")
    var html: String?

    func run() async throws {
        let folder = try TemporaryDirectory(prefix: "evald-bench-report")
        defer { folder.remove() }
        let path = folder.path("queue.db")
        try EvaluationQueue(configuration: QueueConfiguration(path: path)).close()
        let db = try Connection(path: path)
        var random = SplitMix64(seed: 28)
        func small(_ n: UInt64) -> Int { Int(random.next() % n) }
        let columns = "day, window_code, staff_login, dept_code, task_code, pf, hall_code, staff_name, dept_name, task_name, served, r5, r4, r3, r2, r1, defaults, bad, call_backs_needed, rectified, called_back, filtered"
        let insert = try db.prepare("INSERT INTO rollup_daily (\(columns)) VALUES (\(Array(repeating: "?", count: 22).joined(separator: ", ")))")
        var rowsWritten = 0
        var workingDays = 0
        try db.transaction {
            var day = CivilDate(year: 2026, month: 1, day: 1)
            while day.year == 2026 {
                defer { day = day.adding(days: 1) }
                guard WorkingDayCalendar.mondayToFriday.isWorkingDay(day) else { continue }
                workingDays += 1
                for w in 0..<windows {
                    let window = String(format: "W%02d", w + 1)
                    for staff in 0..<2 {
                        for task in 0..<5 {
                            let served = 2 + small(8)
                            let active = [small(4), small(3), small(2), small(6) == 0 ? 1 : 0, small(12) == 0 ? 1 : 0]
                            let bad = active[3] + active[4]
                            try insert.run([day.description, window, "staff\(w * 2 + staff)", "11533103MB000000\(w % 4)X", "00017200900\(task)", 5,
                                            "H01", "工作人员\(w * 2 + staff)", "部门\(w % 4)", "事项\(task)", served,
                                            active[0], active[1], active[2], active[3], active[4], small(2), bad, bad / 2, max(0, bad - small(2)), bad / 2, 0] as [any Bindable])
                            rowsWritten += 1
                        }
                    }
                    try insert.run([day.description, window, "", "", "", 0, SQLNull(), SQLNull(), SQLNull(), SQLNull(),
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, small(4)] as [any Bindable])
                    rowsWritten += 1
                }
            }
        }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let bytes = (try? db.scalar("SELECT sum(pgsize) FROM dbstat WHERE name = 'rollup_daily'", as: Int.self)) ?? nil
        let perWindow = bytes.map { $0 / windows }
        print("evald-bench report: SQLite \(try db.scalar("SELECT sqlite_version()", as: String.self) ?? "?"), \(windows) windows, \(workingDays) working days, \(rowsWritten) rollup rows")
        print("rollup: \(perWindow.map(String.init) ?? "?") bytes per window per year (\(rowsWritten / windows) rows per window; dbstat of rollup_daily)")

        let reader = try QueueReader(path: path)
        var times: [Double] = []
        var readTimes: [Double] = []
        var lines = 0
        for _ in 0..<max(1, repeats) {
            let start = ContinuousClock.now
            let period = ReportPeriod.year(2026)
            let rows = try reader.rollup(from: period.previous.from, to: period.to)
            readTimes.append(Self.ms(start.duration(to: ContinuousClock.now)))
            let model = ReportModel(period: period, grouping: .window, rows: rows, previousRows: rows)
            let text = ReportText.render(model, width: 80)
            let html = ReportHTML.render(model, generated: "bench")
            lines = text.split(separator: "\n").count + (html.isEmpty ? 0 : 1)
            let elapsed = start.duration(to: ContinuousClock.now)
            times.append(Self.ms(elapsed))
        }
        times.sort()
        if let html {
            let november = ReportPeriod.month(year: 2026, month: 11)
            let rows = try reader.rollup(from: november.previous.from, to: november.to)
            let model = ReportModel(period: november, grouping: .window, rows: rows, previousRows: rows)
            try Data(ReportHTML.render(model, generated: "2026-12-01 08:30:00").utf8).write(to: URL(fileURLWithPath: html))
        }
        readTimes.sort()
        print(String(format: "report, %d windows, one year: %.0f ms  (median of %d: read %d rows (%.0f ms), compute, render table and HTML; %d lines)",
                     windows, times[times.count / 2], times.count, rowsWritten, readTimes[readTimes.count / 2], lines))
    }

    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
}
