import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue 28: `evalctl report` and `evalctl sample` on real stores, the files
/// read back by other programs (openpyxl, headless Chromium).
@Suite("evalctl report and sample", .serialized)
struct ReportVerbTests {
    static func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        ShanghaiTime.startOfDay(CivilDate(year: 2026, month: 11, day: day)).addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    /// A week of November at windows W01 and W02: three cases a day each, rated
    /// 5,4,1 / 5,3,2 (the bad ones real-name), and one case left unrated.
    struct Service: Sendable {
        var opening: CaseOpening
        var evaluation: Evaluation?
    }

    static func week() -> [Service] {
        var services: [Service] = []
        let ratings: [String: [Rating]] = ["W01": [.verySatisfied, .satisfied, .veryDissatisfied],
                                           "W02": [.verySatisfied, .basicallySatisfied, .dissatisfied]]
        for windowCode in ["W01", "W02"] {
            let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB0000000X", deptName: "芒市政务服务管理局",
                                             hallCode: "H01", windowCode: windowCode)
            let staff = StaffMember(loginName: windowCode == "W01" ? "zhangwei" : "lina", name: windowCode == "W01" ? "张伟" : "李娜")
            for day in 2...6 {
                for slot in 0..<4 {
                    let projectNo = "MS\(windowCode)\(day)\(slot)"
                    let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "000172009000", taskName: "不动产登记"),
                                              window: window, staff: [staff], deviceId: "kbd", openedAt: at(day, 9 + slot))
                    guard slot < 3 else { services.append(Service(opening: opening)); continue }
                    let rating = ratings[windowCode]![slot]
                    var e = Evaluation(evaluationId: .make(at: at(day, 9 + slot, 5)), satisfaction: rating, assessedAt: at(day, 9 + slot, 5),
                                       areaCode: "533103", deptCode: window.deptCode, deptName: window.deptName, hallCode: "H01",
                                       windowCode: windowCode, deviceId: "kbd", projectNo: projectNo, taskCode: "000172009000",
                                       taskName: "不动产登记", evaluatedPersons: [staff])
                    if rating.rawValue <= 2 || slot == 0 {
                        e.evaluator = Evaluator(userName: PersonalData("李小红"), certKey: PersonalData("53310319900101\(String(format: "%04d", day * 10 + slot))"))
                    }
                    services.append(Service(opening: opening, evaluation: e))
                }
            }
        }
        return services
    }

    /// `offline`: windows whose unrated cases had no evaluator online (issue 25).
    static func seed(_ config: TestConfig, _ services: [Service], offline: Set<String> = []) async throws {
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        defer { queue.close() }
        let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        for service in services {
            try await queue.openCase(service.opening, due: scheduler.due(openedAt: service.opening.openedAt))
            if let e = service.evaluation { try await queue.enqueue(e, ledger: try CaseLedgerUpdate(e, badReviewPolicy: policy)) }
            if service.evaluation == nil, offline.contains(service.opening.window.windowCode) {
                #expect(try await queue.noteEvaluatorOffline(projectNo: service.opening.ticket.projectNo, at: service.opening.openedAt))
            }
        }
        // The unrated cases get their defaults (基本满意) after 5 working days.
        let pass = await queue.applyDueDefaults(at: at(20, 0))
        #expect(pass.enqueued.count == services.filter { $0.evaluation == nil }.count)
    }

    static func config(_ dir: TemporaryDirectory, _ name: String) throws -> TestConfig {
        let config = TestConfig(directory: dir.path(name))
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        try config.write()
        return config
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text.prefix(400))")
    }

    /// Issue 25: defaults of cases whose window had no evaluator online are
    /// shown apart, in the 通报 and in the 台账's context.
    @Test func defaultsWhileTheEvaluatorWasOfflineAreShownApart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.config(dir, "pc")
        try await Self.seed(config, Self.week(), offline: ["W02"])

        let out = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--by", "window", "--today", "2026-12-07", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try json(out.stdout)
        let overall = try #require(object["overall"] as? [String: Any])
        #expect(overall["defaults"] as? Int == 10 && overall["defaultsEvaluatorOffline"] as? Int == 5, "\(overall)")
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["defaultsEvaluatorOffline"] as? Int } == [0, 5])
        let table = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--today", "2026-12-07"])
        #expect(table.stdout.contains("默认 defaults 10, 其中评价器离线 evaluator offline 5"), "\(table.stdout)")

        let ledger = try await EvalctlRun.run(config, ["bad-reviews", "report", "--month", "2026-11", "--today", "2026-12-07"])
        #expect(ledger.status == 0, "\(ledger.stderr)")
        #expect(ledger.stdout.contains("window W02  5 of 5 defaults") && !ledger.stdout.contains("window W01  0 of"), "\(ledger.stdout)")
        let ledgerJSON = try json(try await EvalctlRun.run(config, ["bad-reviews", "report", "--month", "2026-11", "--today", "2026-12-07", "--json"]).stdout)
        let context = try #require(ledgerJSON["defaultsEvaluatorOffline"] as? [[String: Any]])
        #expect(context.count == 1 && context.first?["window"] as? String == "W02" && context.first?["evaluatorOffline"] as? Int == 5)
    }

    @Test func reportTableJSONCSVWorkbookAndPage() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.config(dir, "pc")
        try await Self.seed(config, Self.week())

        let table = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--today", "2026-12-07"])
        #expect(table.status == 0, "\(table.stderr)")
        for line in table.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)): \(line)") }
        #expect(table.stdout.contains("H01/W01") && table.stdout.contains("合计 all"), "\(table.stdout)")
        #expect(table.stdout.contains("逾期未整改 overdue now (10)"), "\(table.stdout)")

        let csv = dir.path("r.csv"), xlsx = dir.path("r.xlsx"), html = dir.path("r.html")
        let out = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--by", "window", "--today", "2026-12-07", "--json",
                                                    "--csv", csv, "--xlsx", xlsx, "--html", html])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try json(out.stdout)
        let overall = try #require(object["overall"] as? [String: Any])
        // 40 cases served, 30 rated actively + 10 defaults; 満意: 5,4 | 5,3 per day + the defaults = 30 of 40.
        #expect(overall["served"] as? Int == 40 && overall["rated"] as? Int == 40)
        #expect(overall["participation"] as? Double == 0.75)
        #expect(overall["satisfactionRate"] as? Double == 0.75)
        #expect(overall["badReviewRate"] as? Double == 0.25)
        #expect(overall["defaultShare"] as? Double == 0.25)
        #expect(overall["rectificationRate"] as? Double == 0 && overall["callBackRate"] as? Double == 0)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["W01", "W02"])
        for key in ["served", "rated", "participation", "satisfactionRate", "badReviewRate", "defaultShare", "rectificationRate", "callBackRate"] {
            #expect(rows.allSatisfy { $0[key] is NSNumber }, "\(key) is a number in every row")
        }
        #expect((object["rollup"] as? [Any])?.isEmpty == false)

        let csvBytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(Array(csvBytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: csvBytes, as: UTF8.self).contains("all,合计,40,40,0.75,0.75,0.25,0.25,0.0,0.0,10,0,"))

        // The workbook, read back by another program (openpyxl, Debian python3-openpyxl).
        let read = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb.worksheets[0]
            print(json.dumps({"sheets": wb.sheetnames, "rows": [[c for c in r] for r in ws.iter_rows(values_only=True)],
                              "charts": len(ws._charts)}, ensure_ascii=False, default=str))
            """, xlsx], directory: dir.url.path)
        #expect(read.status == 0, "openpyxl: \(read.stderr)")
        let book = try json(read.stdout)
        #expect((book["sheets"] as? [String])?.first == "通报 2026-11")
        let sheetRows = try #require(book["rows"] as? [[Any]])
        let total = try #require(sheetRows.first { ($0.first as? String) == "合计 all" }, "\(sheetRows)")
        #expect(total[1] as? Double == 40 && total[3] as? Double == 0.75 && total[4] as? Double == 0.75)
        #expect(sheetRows.first?.first as? String == "窗口 window")

        // The page, rendered by a real browser: what it shows is the DOM after layout.
        let dom = try await Self.chromiumDOM(html, dir: dir)
        #expect(dom.contains("好差评通报 2026-11"))
        #expect(dom.contains(">75%</b><span>参评率") && dom.contains(">75%</b><span>满意率") && dom.contains(">25%</b><span>差评率"), "\(dom.prefix(3000))")
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 2)
        #expect(dom.contains("逾期未整改 (10)"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!page.contains("<script") && !page.contains("<link") && !page.contains("src=\"http"))
        #expect(page.contains("@page { size: A4"))
    }

    static func chromiumDOM(_ html: String, dir: TemporaryDirectory) async throws -> String {
        let outcome = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/chromium"), arguments: [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
            "--user-data-dir=\(dir.path("chromium-profile"))", "--dump-dom", "file://\(html)",
        ], directory: dir.url.path)
        #expect(outcome.status == 0, "chromium: \(outcome.stderr.suffix(2000))")
        return outcome.stdout
    }

    @Test func rebuildRecountsAPeriodFromTheRecordsWithEvaldStopped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.config(dir, "pc")
        try await Self.seed(config, Self.week())
        let arguments = ["report", "--month", "2026-11", "--today", "2026-12-07", "--json"]
        let before = try json(try await EvalctlRun.run(config, arguments).stdout)
        // Counts lost (a file from a salvage, say): the rebuild gives them back.
        let db = try Connection(path: config.queuePath)
        try db.execute("DELETE FROM rollup_daily")
        #expect((try json(try await EvalctlRun.run(config, arguments).stdout)["overall"] as? [String: Any])?["served"] as? Int == 0)
        let rebuilt = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--today", "2026-12-07", "--rebuild"])
        #expect(rebuilt.status == 0 && rebuilt.stdout.contains("rollup recounted for 2026-11-01…2026-11-30"), "\(rebuilt.stdout)\(rebuilt.stderr)")
        let after = try json(try await EvalctlRun.run(config, arguments).stdout)
        #expect((after["overall"] as? NSObject) == (before["overall"] as? NSObject))
        #expect((after["rows"] as? NSObject) == (before["rows"] as? NSObject))
    }

    @Test func mergeOfTwoPCsEqualsOnePCHoldingBoth() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let services = Self.week()
        let a = try Self.config(dir, "a"), b = try Self.config(dir, "b"), both = try Self.config(dir, "both")
        try await Self.seed(a, services.filter { $0.opening.window.windowCode == "W01" })
        try await Self.seed(b, services.filter { $0.opening.window.windowCode == "W02" })
        try await Self.seed(both, services)
        var files: [String] = []
        for (name, config) in [("a", a), ("b", b)] {
            let out = try await EvalctlRun.run(config, ["report", "--month", "2026-11", "--today", "2026-12-07", "--json"])
            #expect(out.status == 0, "\(out.stderr)")
            let path = dir.path("\(name).json")
            try Data(out.stdout.utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        for by in ["window", "staff", "day"] {
            let merged = try json(try await EvalctlRun.run(a, ["report", "--month", "2026-11", "--by", by, "--today", "2026-12-07", "--json", "--merge"] + files).stdout)
            let one = try json(try await EvalctlRun.run(both, ["report", "--month", "2026-11", "--by", by, "--today", "2026-12-07", "--json"]).stdout)
            for key in ["rows", "overall", "overdueNow", "by", "period"] {
                #expect((merged[key] as? NSObject) == (one[key] as? NSObject), "\(by) \(key)")
            }
        }
        let twice = try await EvalctlRun.run(a, ["report", "--month", "2026-11", "--merge", files[0], files[1], files[0]])
        #expect(twice.status == 1 && twice.stderr.contains("counted in both"), "\(twice.stderr)")
    }

    @Test func sampleIsReproducibleMaskedAndRevealsOnlyAudited() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.config(dir, "pc")
        try await Self.seed(config, Self.week())
        let arguments = ["sample", "--month", "2026-11", "--count", "4", "--seed", "7", "--json"]
        let first = try await EvalctlRun.run(config, arguments), second = try await EvalctlRun.run(config, arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        let sample = try #require(try json(first.stdout)["sample"] as? [[String: Any]])
        #expect(sample.count == 4)
        #expect(!first.stdout.contains("李小红") && !first.stdout.contains("533103199001"))
        let other = try await EvalctlRun.run(config, ["sample", "--month", "2026-11", "--count", "4", "--seed", "8", "--json"])
        #expect(other.stdout != first.stdout)
        let bad = try json(try await EvalctlRun.run(config, ["sample", "--month", "2026-11", "--count", "50", "--bad-only", "--json"]).stdout)
        #expect((bad["sample"] as? [[String: Any]])?.allSatisfy { ($0["satisfaction"] as? Int ?? 5) <= 2 } == true)
        #expect(bad["count"] as? Int == 10)

        let revealed = try await EvalctlRun.run(config, arguments + ["--reveal"])
        #expect(revealed.status == 0, "\(revealed.stderr)")
        #expect(revealed.stdout.contains("李小红"))
        let audit = try QueueReader(path: config.queuePath).auditEntries()
        #expect(audit.contains { $0.verb == "reveal" && $0.detail.contains("sample 2026-11 seed 7") })
    }
}
