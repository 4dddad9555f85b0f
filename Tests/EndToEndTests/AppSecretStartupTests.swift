import EvalTesting
import Foundation
import Testing

/// A missing or empty app secret is a configuration error: `--check-config`
/// says so and evald exits 78 (EX_CONFIG), which the unit does not restart
/// (`RestartPreventExitStatus=78`), instead of a restart loop (issue 12).
@Suite("evald refuses a missing or empty app secret", .serialized)
struct AppSecretStartupTests {
    func evald(_ config: TestConfig, _ arguments: [String], environment: [String: String] = [:]) async throws
        -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: arguments + ["--config", config.configPath],
                            environment: environment, directory: config.directory)
    }

    @Test func anEmptySecretFailsTheCheckAndTheStartWithExit78() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try Data("\n".utf8).write(to: URL(fileURLWithPath: config.secretPath))

        let check = try await evald(config, ["--check-config"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("error: [platform] app secret"), "\(check.stdout)")
        #expect(check.stdout.contains("the file is empty; put the platform's app secret there"))
        #expect(check.stdout.contains("install -m 0600 /dev/stdin \(config.secretPath)"))

        let start = try await evald(config, [])
        #expect(start.status == 78, "\(start.stderr)")
        #expect(start.stderr.contains("is empty"), "\(start.stderr)")
        #expect(!start.stderr.contains("<3>"))
    }

    @Test func aMissingSecretFailsTheCheckAndTheStartWithExit78() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.removeItem(atPath: config.secretPath)

        let check = try await evald(config, ["--check-config"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("\(config.secretPath): missing"), "\(check.stdout)")
        let start = try await evald(config, [])
        #expect(start.status == 78, "\(start.stderr)")
    }

    @Test func theSystemdCredentialCountsWhenNoFileIsConfigured() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = TestConfig(directory: dir.url.path)
        config.secretFromCredential = true
        try config.write()
        let credentials = dir.path("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)

        let absent = try await evald(config, ["--check-config"], environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(absent.status == 1)
        #expect(absent.stdout.contains("systemd credential app-secret"), "\(absent.stdout)")

        try Data("test-secret".utf8).write(to: URL(fileURLWithPath: credentials + "/app-secret"))
        let present = try await evald(config, ["--check-config"], environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(present.status == 0, "\(present.stdout)")
    }
}
