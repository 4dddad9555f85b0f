import EvalTesting
import Foundation
import Testing

/// Power cuts, not only SIGKILL: `evalq-crash-probe powercut` drives the real
/// store through a workload under a logging SQLite VFS, then opens, with the
/// real store, the image a power cut would leave at every sync boundary (with
/// lost, kept and torn unsynced writes) and checks every acknowledged
/// evaluation is there exactly once and the ledger never rates a case twice.
@Suite("Power-cut simulation")
struct PowerCutTests {
    @Test func everyAcknowledgedEvaluationSurvivesEveryCrashState() async throws {
        // Images on tmpfs when there is one: a thousand file images are written.
        let parent = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let directory = parent + "/evald-powercut-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let probe = try BuiltProducts.executable(named: "evalq-crash-probe")
        let child = try ChildProcess(probe, arguments: ["powercut", directory, "20261202"])
        let status = try await child.waitForExit(timeout: .seconds(1_200))
        let lines = child.receivedLines
        let summary = try #require(lines.first { $0.contains("crash states") }, "output: \(lines) \(child.stderr)")
        print(summary)
        // On a violation, the probe's DIAG lines describe the first bad image (PowerCutDiagnosis).
        #expect(status == 0, "\(lines.filter { $0.hasPrefix("VIOLATION") }.prefix(5))\n\(lines.filter { $0.hasPrefix("DIAG") }.joined(separator: "\n"))")
        #expect(summary.hasSuffix(", 0 violations"))
        let explored = summary.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } ?? 0
        #expect(explored >= 1_000, "\(summary)")
    }
}
