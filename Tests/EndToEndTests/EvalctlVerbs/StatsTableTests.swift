import EvalAgent
import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// `evalctl stats`: bilingual headings, 80 columns, the legend naming the
/// numbered rating columns; `--json` keeps the numbers.
@Suite("evalctl stats: a table that fits", .serialized)
struct StatsTableTests {
    @Test func fitsAndNamesTheRatings() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await EvalctlTests.seed(config)

        let stats = try await EvalctlRun.run(config, ["stats", "--by", "window"])
        #expect(stats.status == 0, "\(stats.stderr)")
        for line in stats.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        let header = try #require(stats.lines.first)
        #expect(header.hasPrefix("窗口 window") && header.contains("合计 total") && header.contains("差评率 bad"), "\(header)")
        #expect(stats.lines.last == "评价 rating: 5 非常满意  4 满意  3 基本满意  2 不满意  1 非常不满意")
        let wide = try await EvalctlRun.run(config, ["stats", "--by", "window", "--wide"])
        #expect(wide.lines.first?.contains("默认 default") == true)
    }
}
