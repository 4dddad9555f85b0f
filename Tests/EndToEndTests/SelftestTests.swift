import EvalTesting
import Foundation
import Testing

/// `evalctl selftest` against the platform simulator: it proves the way and
/// the credentials without a rating reaching the platform (issue 12).
@Suite("evalctl selftest never rates a real window", .serialized)
struct SelftestTests {
    static let defaultSteps = ["configuration", "app secret", "name resolution", "TCP connect", "HTTP", "credentials", "signature check"]

    /// A temporary directory, the platform simulator, and an evald.toml pointing at it.
    static func start(secretFromCredential: Bool = false) async throws -> (TemporaryDirectory, PlatformSimulatorProcess, TestConfig) {
        let dir = try TemporaryDirectory()
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.secretFromCredential = secretFromCredential
        try config.write()
        return (dir, sim, config)
    }

    func selftest(_ config: TestConfig, _ arguments: [String] = [], environment: [String: String] = [:]) async throws
        -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["selftest", "--config", config.configPath] + arguments,
                            environment: environment, directory: config.directory)
    }

    func steps(_ stdout: String) -> [[String: Any]] {
        ((try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any])?["steps"] as? [[String: Any]] ?? []
    }

    @Test func checksEveryStepWithoutSendingAnEvaluation() async throws {
        let (dir, sim, config) = try await Self.start(secretFromCredential: false)
        defer { sim.stop(); dir.remove() }

        let ok = try await selftest(config, ["--json"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(steps(ok.stdout).map { $0["step"] as? String ?? "" } == Self.defaultSteps)
        #expect(steps(ok.stdout).allSatisfy { $0["ok"] as? Bool == true })
        var stats = try await sim.stats()
        #expect(stats.received == 0 && stats.unique == 0, "the simulator stored an evaluation: \(stats)")
        #expect(stats.malformed == 1)       // the authenticated empty batch: 400
        #expect(stats.unauthorized == 1)    // the wrong signature: 401

        // A wrong secret: the credentials step fails, with the hint; still nothing stored.
        try Data("wrong-secret".utf8).write(to: URL(fileURLWithPath: config.secretPath))
        let bad = try await selftest(config)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("✗ credentials: 401"), "\(bad.stdout)")
        #expect(bad.stdout.contains("app_key"))
        stats = try await sim.stats()
        #expect(stats.received == 0)
    }

    @Test func aRealTestEvaluationNeedsTheFlagAndAConfirmation() async throws {
        let (dir, sim, config) = try await Self.start(secretFromCredential: false)
        defer { sim.stop(); dir.remove() }

        // No terminal, no --yes: refused before any request.
        let refused = try await selftest(config, ["--send-test-evaluation"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not sent: confirm on a terminal or pass --yes"), "\(refused.stderr)")
        #expect(try await sim.stats().requests == 0)

        let sent = try await selftest(config, ["--send-test-evaluation", "--yes", "--json"])
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(steps(sent.stdout).map { $0["step"] as? String ?? "" } == Self.defaultSteps + ["test evaluation"])
        #expect(try await sim.stats().unique == 1)
    }

    @Test func readsTheSecretAsEvaldDoesAndSaysWhatToDoWhenItIsMissing() async throws {
        let (dir, sim, config) = try await Self.start(secretFromCredential: true)
        defer { sim.stop(); dir.remove() }
        let credentials = dir.path("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Data("test-secret\n".utf8).write(to: URL(fileURLWithPath: credentials + "/app-secret"))

        let viaCredential = try await selftest(config, environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(viaCredential.status == 0, "\(viaCredential.stdout)\(viaCredential.stderr)")
        #expect(viaCredential.stdout.contains("✓ app secret: read from systemd credential app-secret"))

        let requestsBefore = try await sim.stats().requests
        let empty = dir.path("empty-credentials")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let missing = try await selftest(config, environment: ["CREDENTIALS_DIRECTORY": empty])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("✗ app secret"), "\(missing.stdout)")
        #expect(missing.stdout.contains("missing; put the platform's app secret there"))
        #expect(!missing.stdout.contains("uplink."))
        #expect(try await sim.stats().requests == requestsBefore, "no request without a secret")
    }

    @Test func namesTheFailingNetworkStep() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = "http://127.0.0.1:\(freeLoopbackPort())/api/v1"
        try config.write()
        let closed = try await selftest(config)
        #expect(closed.status == 1)
        #expect(closed.stdout.contains("✓ name resolution"), "\(closed.stdout)")
        #expect(closed.stdout.contains("✗ TCP connect"), "\(closed.stdout)")

        config.platformURL = "https://nonexistent.invalid/api/v1"  // plain http to another host is refused
        try config.write()
        let unknown = try await selftest(config)
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("✗ name resolution"), "\(unknown.stdout)")
    }
}
