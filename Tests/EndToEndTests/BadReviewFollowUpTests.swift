import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// `evalctl bad-reviews` follow-up verbs against a real queue file, daemon stopped
/// (the direct write under the instance lock), with the shipped calendar.
@Suite("evalctl bad-reviews follow-up", .serialized)
struct BadReviewFollowUpTests {
    static func badReview(at text: String, window: String, staff: String, realName: Bool) -> Evaluation {
        Evaluation(satisfaction: .veryDissatisfied, assessedAt: ShanghaiTime.parse(text)!, areaCode: "533103", hallCode: "H1",
                   windowCode: window, deviceId: "simulated-keypad", evaluatedPersons: [StaffMember(loginName: staff, name: staff)],
                   evaluator: realName ? Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234")) : nil)
    }

    /// Stores `reviews` as the pipeline does: each queued with its 台账 row
    /// (deadline from the shipped calendar), in one transaction.
    static func store(_ reviews: [Evaluation], in config: TestConfig) async throws {
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        defer { store.close() }
        let calendar = CalendarDirectory.load(from: BuiltProducts.packageRoot.appendingPathComponent("config/calendars")).calendar
        for review in reviews {
            try await store.enqueue(review, ledger: CaseLedgerUpdate(review, badReviewPolicy: BadReviewPolicy(calendar: calendar)))
        }
    }

    func evalctl(_ config: TestConfig, _ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath], directory: config.directory)
    }

    func object(_ text: String) -> [String: Any]? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] }

    @Test func aReviewFollowedUpToItsCallBack() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        // 中秋节 and 国庆节 fall inside the 15 working days: the deadline is 2026-10-19.
        let named = Self.badReview(at: "2026-09-21 10:00:00", window: "W01", staff: "zhangsan", realName: true)
        let late = Self.badReview(at: "2026-09-22 10:00:00", window: "W02", staff: "lisi", realName: false)
        try await Self.store([named, late], in: config)
        let id = named.evaluationId.description

        var result = try await evalctl(config, ["bad-reviews", "rectify", id, "--date", "2026-09-22", "--measures", "先整改"])
        #expect(result.status != 0 && result.stderr.contains("notAllowed"), "\(result)")
        result = try await evalctl(config, ["bad-reviews", "verify", id, "--valid", "--reason", "属实", "--date", "2026-09-22", "--by", "wangfang"])
        #expect(result.status == 0 && result.stdout.contains("verified"), "\(result)")
        for arguments in [
            ["verify", late.evaluationId.description, "--valid", "--reason", "属实", "--date", "2026-09-22"],
            ["extend", id, "--until", "2026-10-30", "--reason", "待采购", "--date", "2026-09-23"],
            ["rectify", id, "--date", "2026-10-21", "--measures", "编制一次性告知单"],
            ["feedback", id, "--date", "2026-10-22", "--note", "电话告知"],
            ["call-back", id, "--date", "2026-10-22", "--result", "unreachable", "--by", "lili"],
        ] {
            result = try await evalctl(config, ["bad-reviews"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result)")
        }

        // Identity still stored (retry needed), masked unless revealed.
        var show = object(try await evalctl(config, ["bad-reviews", "show", id, "--json", "--today", "2026-10-22"]).stdout)
        #expect(show?["stage"] as? String == "rectified")
        #expect(show?["deadline"] as? String == "2026-10-30" && show?["initialDeadline"] as? String == "2026-10-19")
        #expect(show?["callBackRetryNeeded"] as? Bool == true && show?["identityStored"] as? Bool == true)
        #expect((show?["steps"] as? [[String: Any]])?.count == 5)
        #expect(show?["calledBackOn"] is NSNull)
        let listed = try await evalctl(config, ["bad-reviews", "list", "--window", "W01"])
        #expect(listed.status == 0 && !listed.stdout.contains("533103199001011234") && !listed.stdout.contains("王小明"), "\(listed)")

        result = try await evalctl(config, ["bad-reviews", "call-back", id, "--date", "2026-10-23", "--result", "satisfied", "--by", "lili"])
        #expect(result.status == 0 && result.stdout.contains("identity purged"), "\(result)")
        show = object(try await evalctl(config, ["bad-reviews", "show", id, "--json"]).stdout)
        #expect(show?["stage"] as? String == "closed" && show?["identityStored"] as? Bool == false)
        let revealed = try await evalctl(config, ["bad-reviews", "--reveal", "--json"])
        #expect(revealed.status == 0 && !revealed.stdout.contains("王小明"), "\(revealed)")

        // The second review is overdue on 2026-10-21 (deadline 2026-10-20).
        let overdue = try await evalctl(config, ["bad-reviews", "list", "--overdue", "--today", "2026-10-21", "--json"])
        let overdueRows = try? JSONSerialization.jsonObject(with: Data(overdue.stdout.utf8)) as? [[String: Any]]
        #expect(overdueRows?.map { $0["evaluationId"] as? String } == [late.evaluationId.description], "\(overdue)")
        let dueSoon = try await evalctl(config, ["bad-reviews", "list", "--due-within", "3", "--today", "2026-10-16", "--json"])
        #expect((try? JSONSerialization.jsonObject(with: Data(dueSoon.stdout.utf8)) as? [[String: Any]])?.count == 1, "\(dueSoon)")
        let closed = try await evalctl(config, ["bad-reviews", "list", "--closed", "--json"])
        #expect(closed.stdout.contains(id) && !closed.stdout.contains(late.evaluationId.description))

        let report = object(try await evalctl(config, ["bad-reviews", "report", "--month", "2026-09", "--json", "--today", "2026-10-21"]).stdout)
        let total = report?["total"] as? [String: Any]
        #expect(total?["reviews"] as? Int == 2 && total?["rectified"] as? Int == 1 && total?["overdue"] as? Int == 1)
        #expect(total?["rectificationRate"] as? Double == 0.5 && total?["callBackRate"] as? Double == 1.0)
        #expect((report?["windows"] as? [[String: Any]])?.map { $0["window"] as? String } == ["W01", "W02"])
        #expect((report?["overdue"] as? [[String: Any]])?.first?["evaluationId"] as? String == late.evaluationId.description)
        #expect(report?["since"] as? String == "2026-08-31T16:00:00Z")
        let csv = try await evalctl(config, ["bad-reviews", "report", "--month", "2026-09", "--csv", "--today", "2026-10-21"])
        #expect(csv.stdout.split(separator: "\n").first == "group,key,reviews,excluded,counted,rectified,rectificationRate,realName,calledBack,callBackRate,open,overdue")
        #expect(csv.stdout.contains("window,W02,1,0,1,0,0.0,0,0,,1,1"), "\(csv.stdout)")

        let audit = try String(contentsOfFile: (config.stateDirectory as NSString).appendingPathComponent("audit.log"), encoding: .utf8)
        #expect(audit.contains("verb=bad-review-verify") && audit.contains("verb=bad-review-call-back") && audit.contains("identity=purged"))
        #expect(!audit.contains("王小明") && !audit.contains("533103199001011234"))
    }
}
