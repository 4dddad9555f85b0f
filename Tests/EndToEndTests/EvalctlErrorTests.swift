import EvalTesting
import Foundation
import Testing

/// How evalctl fails (issue 12): one `error:` prefix, no Foundation dump,
/// no usage text for a bad value, a hint where there is a next step.
@Suite("evalctl errors an operator can act on", .serialized)
struct EvalctlErrorTests {
    func evalctl(_ config: TestConfig, _ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath], directory: config.directory)
    }

    func expectOneError(_ result: ChildProcess.Outcome, _ text: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.components(separatedBy: "rror:").count == 2, "one prefix: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("USAGE:"), "\(result.stderr)",
                sourceLocation: sourceLocation)
    }

    @Test func fileAndIdErrorsSayWhatIsWrong() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await EvalctlTests.seed(config)

        expectOneError(try await evalctl(config, ["export", "-o", "/nonexistent/x.csv"]),
                       "cannot write /nonexistent/x.csv: No such file or directory")
        expectOneError(try await evalctl(config, ["queue", "show", UUID().uuidString.lowercased()]), "unknown evaluationId")
        expectOneError(try await evalctl(config, ["queue", "show", "not-an-id"]), "not an evaluationId: not-an-id")
        expectOneError(try await evalctl(config, ["queue", "show", "0123456789ab"]), "unknown evaluationId 0123456789ab")

        let missing = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--config", dir.path("nope.toml")],
                                          directory: dir.url.path)
        expectOneError(missing, "file not found: \(dir.path("nope.toml"))")

        let udev = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["udev-rules", "--profiles", "/nonexistent"], directory: dir.url.path)
        expectOneError(udev, "--profiles /nonexistent: no such directory")
        #expect(udev.stdout.isEmpty)
    }

    /// A refused command line has the same lowercase prefix as every other error, the usage after it, and exit 64 (EX_USAGE).
    @Test func usageErrorsHaveTheOnePrefixToo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["tail", "--bogus"], directory: dir.url.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: Unknown option '--bogus'"), "\(result.stderr)")
        #expect(!result.stderr.contains("Error:") && result.stderr.contains("evalctl tail --help"), "\(result.stderr)")
        let help = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["tail", "--help"], directory: dir.url.path)
        #expect(help.status == 0 && help.stdout.contains("--wide"))
    }

    @Test func aDamagedQueuePointsToTheRecoveryDocs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }).write(to: URL(fileURLWithPath: config.queuePath))

        let list = try await evalctl(config, ["queue", "list"])
        expectOneError(list, "docs/queue.md")
        #expect(list.stderr.contains("damaged"))
        #expect(!list.stderr.contains("SQLite error 26"), "\(list.stderr)")
    }
}
