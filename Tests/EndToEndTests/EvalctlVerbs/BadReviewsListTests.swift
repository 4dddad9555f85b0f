import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// `evalctl bad-reviews list` (issue 12: `--json` gave `"overdue":"no"`,
/// `"rating":"1 非常不满意"`): data in JSON, a table that fits 80 columns,
/// and short ids the follow-up verbs accept.
@Suite("evalctl bad-reviews list: data and a table that fits", .serialized)
struct BadReviewsListTests {
    @Test func jsonIsDataAndTheTableFits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let (named, anonymous) = try await BadReviewLedgerSeed.seed(config)

        let listed = try await EvalctlRun.run(config, ["bad-reviews", "list", "--json", "--today", "2026-10-20"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.first { $0["evaluationId"] as? String == named.evaluationId.description })
        #expect(row["satisfaction"] as? Int == 1 && row["satisfactionName"] as? String == "非常不满意")
        #expect(row["overdue"] as? Bool == true, "2026-10-20 is past the deadline: \(row)")
        #expect(row["callBackNeeded"] as? Bool == true)
        #expect(row["deadline"] as? String == "2026-10-19")
        #expect(row["assessedAt"] as? String == "2026-09-21T02:00:00Z")
        #expect(row["projectNo"] is NSNull && row["hallCode"] as? String == "H1", "absent is null, not \"\" or \"-\"")
        #expect(row["stage"] as? String == "open")
        #expect((row["staff"] as? [[String: Any]])?.first?["loginName"] as? String == "zhangsan")
        let evaluator = row["evaluator"] as? [String: Any]
        #expect(evaluator?["certKey"] as? String != "533103199001011234" && evaluator?["userProp"] is Int, "masked: \(row)")
        #expect(rows.first { $0["evaluationId"] as? String == anonymous.evaluationId.description }?["evaluator"] is NSNull)

        let table = try await EvalctlRun.run(config, ["bad-reviews", "list", "--today", "2026-10-20"])
        #expect(table.status == 0, "\(table.stderr)")
        for line in table.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        for heading in ["编号 id", "时间 time", "窗口 window", "期限 deadline", "超期 overdue"] {
            #expect(table.lines.first?.contains(heading) == true, "\(table.stdout)")
        }
        let short = String(named.evaluationId.description.suffix(12))
        #expect(table.stdout.contains(short))
        let wide = try await EvalctlRun.run(config, ["bad-reviews", "list", "--wide", "--today", "2026-10-20"])
        #expect(wide.lines.first?.contains("阶段 stage") == true && wide.stdout.contains(named.evaluationId.description))

        // The ledger's short id works for the follow-up verbs (the record is not in the queue, only in the ledger).
        let show = try await EvalctlRun.run(config, ["bad-reviews", "show", short, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains(named.evaluationId.description))
    }
}
