import EvalAgent
import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// `evalctl bad-reviews report` as text: bilingual headings, 80 columns
/// (the counts behind the rates are left out first), overdue reviews by
/// their short id; `--wide` shows every column and whole ids.
@Suite("evalctl bad-reviews report: a table that fits", .serialized)
struct BadReviewsReportTests {
    @Test func fitsEightyColumns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let (named, anonymous) = try await BadReviewLedgerSeed.seed(config)

        let report = try await EvalctlRun.run(config, ["bad-reviews", "report", "--month", "2026-09", "--today", "2026-10-21"])
        #expect(report.status == 0, "\(report.stderr)")
        for line in report.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        let header = try #require(report.lines.dropFirst().first)
        for heading in ["差评 reviews", "整改率 rate", "回访率 rate", "超期 overdue"] { #expect(header.contains(heading), "\(header)") }
        #expect(report.stdout.contains("  \(named.evaluationId.description.suffix(12))  window W01"), "both are overdue on 2026-10-21:\n\(report.stdout)")
        #expect(report.stdout.contains(String(anonymous.evaluationId.description.suffix(12))))

        let wide = try await EvalctlRun.run(config, ["bad-reviews", "report", "--month", "2026-09", "--today", "2026-10-21", "--wide"])
        #expect(wide.stdout.contains("已整改 rectified") && wide.stdout.contains(named.evaluationId.description), "\(wide.stdout)")
    }
}
