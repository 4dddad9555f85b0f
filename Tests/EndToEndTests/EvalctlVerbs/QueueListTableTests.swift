import EvalAgent
import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// `evalctl queue list` as a person reads it (issue 12: 192 columns wide):
/// 80 columns through a pipe, the terminal's width from `COLUMNS`, every
/// column with `--wide`, and short ids that the other verbs accept.
@Suite("evalctl queue list: a table that fits", .serialized)
struct QueueListTableTests {
    @Test func fitsEightyColumnsAndWideShowsAll() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let seeded = try await EvalctlTests.seed(config)

        let narrow = try await EvalctlRun.run(config, ["queue", "list"])
        #expect(narrow.status == 0, "\(narrow.stderr)")
        #expect(narrow.lines.count == 6, "header, rule, four records:\n\(narrow.stdout)")
        for line in narrow.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        let header = try #require(narrow.lines.first)
        for heading in ["编号 id", "状态 state", "评价 rating", "窗口 window", "评价时间 assessTime"] { #expect(header.contains(heading), "\(header)") }
        #expect(!header.contains("原因 reason"), "the reason is left out first")
        let short = String(seeded.rejected.evaluationId.description.suffix(12))
        #expect(narrow.stdout.contains(short) && !narrow.stdout.contains(seeded.rejected.evaluationId.description))

        let wider = try await EvalctlRun.run(config, ["queue", "list"], columns: "200")
        #expect(wider.lines.first?.contains("原因 reason") == true, "COLUMNS=200 leaves room for every column: \(wider.stdout)")

        let wide = try await EvalctlRun.run(config, ["queue", "list", "--wide"])
        #expect(wide.lines.first?.contains("原因 reason") == true && wide.lines.first?.contains("次数 attempts") == true)
        #expect(wide.stdout.contains(seeded.rejected.evaluationId.description) && wide.stdout.contains("areaCode unknown"))
        #expect(wide.lines.contains { TextTable.width($0) > 80 })

        // The short id is an evaluationId for show (and retry, drop, release).
        let show = try await EvalctlRun.run(config, ["queue", "show", short, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect(object?["evaluationId"] as? String == seeded.rejected.evaluationId.description)
    }
}
