import EvalAgent
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// `evalctl tail` (issue 12: no header, 109 columns, bad reviews not
/// standing out): a header line, 80 columns, bad reviews marked 差评 — as
/// text, since stdout is a pipe (no colour codes) — and `-f` reporting a
/// record enqueued after it started.
@Suite("evalctl tail: header, width, bad reviews marked", .serialized)
struct TailTests {
    @Test func headerAndMarkedBadReviews() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let seeded = try await EvalctlTests.seed(config)

        let tail = try await EvalctlRun.run(config, ["tail"])
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(tail.lines.count == 5, "a header and four records:\n\(tail.stdout)")
        let header = try #require(tail.lines.first)
        for heading in ["时间 time", "窗口 window", "评价 rating", "编号 id", "状态 state"] { #expect(header.contains(heading), "\(header)") }
        for line in tail.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        let bad = tail.lines.filter { $0.hasPrefix("差评") }
        #expect(bad.count == 1 && bad.first?.contains(String(seeded.rejected.evaluationId.description.suffix(12))) == true, "\(tail.stdout)")
        #expect(!tail.stdout.contains("\u{1B}"), "no colour codes into a pipe")
    }

    @Test func followReportsNewRecords() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await EvalctlTests.seed(config)

        let follower = try ChildProcess(try BuiltProducts.executable(named: "evalctl"), arguments: ["tail", "-f", "--config", config.configPath],
                                        environment: ["COLUMNS": "", "NO_COLOR": "1"], directory: config.directory)
        defer { follower.stop() }
        // The header and the four seeded records come first; only then is the new one enqueued.
        _ = try await follower.waitForLines(5, timeout: .seconds(20))
        let late = EvalctlTests.evaluation(.dissatisfied, window: "W09")
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        try await queue.enqueue(late)
        queue.close()
        let lines = try await follower.waitForLines(6, timeout: .seconds(20))
        let last = try #require(lines.last)
        #expect(last.hasPrefix("差评") && last.contains("W09") && last.contains(String(late.evaluationId.description.suffix(12))), "\(lines)")
    }
}
