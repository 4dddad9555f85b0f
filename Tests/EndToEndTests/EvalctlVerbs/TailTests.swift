import EvalAgent
import EvalCore
import EvalOperator
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
        let one = try await EvalctlRun.run(config, ["tail", "-n", "1"])
        #expect(one.lines.count == 2 && one.lines.last?.contains(String(seeded.pending.evaluationId.description.suffix(12))) == true,
                "-n as tail(1): the header and the newest record:\n\(one.stdout)\(one.stderr)")
    }

    /// At a terminal (a pty from script(1)) the bad review is red; NO_COLOR turns that off.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func colourOnlyAtATerminalAndNotWithNoColor() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await EvalctlTests.seed(config)
        let command = "\(try BuiltProducts.executable(named: "evalctl").path) tail --config \(config.configPath)"
        func underPty(noColor: String) async throws -> ChildProcess.Outcome {
            try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/script"), arguments: ["-qec", command, "/dev/null"],
                                       environment: ["COLUMNS": "", "NO_COLOR": noColor, "TERM": "xterm"], directory: config.directory)
        }
        let coloured = try await underPty(noColor: "")
        #expect(coloured.status == 0, "\(coloured.stdout)\(coloured.stderr)")
        let red = coloured.stdout.components(separatedBy: "\n").filter { $0.contains("\u{1B}[1;31m") }
        #expect(red.count == 1 && red.first?.contains("差评") == true, "\(coloured.stdout)")
        let plain = try await underPty(noColor: "1")
        #expect(plain.stdout.contains("差评") && !plain.stdout.contains("\u{1B}["), "\(plain.stdout)")
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
