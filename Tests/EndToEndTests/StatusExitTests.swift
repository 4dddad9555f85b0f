import EvalTesting
import Foundation
import Testing

/// `evalctl status` exits as `systemctl status` does: 0 running (see
/// EvalctlTests' running daemon), 3 not running, 4 cannot tell (issue 12:
/// without permission it said "not running" while evald ran).
@Suite("evalctl status exit codes", .serialized)
struct StatusExitTests {
    @Test func cannotTellIsNeitherRunningNorStopped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        // A lock evalctl cannot open (the tests run as root, so no EACCES: a symlink loop).
        let lock = (config.stateDirectory as NSString).appendingPathComponent("evald.lock")
        try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: "evald.lock")

        let human = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--config", config.configPath], directory: dir.url.path)
        #expect(human.status == 4, "\(human.stdout)\(human.stderr)")
        #expect(human.stdout.contains("cannot tell whether evald runs"))
        #expect(!human.stdout.contains("not running"))

        let json = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--json", "--config", config.configPath], directory: dir.url.path)
        #expect(json.status == 4)
        let daemon = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["daemon"] as? [String: Any]
        #expect(daemon?["state"] as? String == "unknown")
        #expect(daemon?["running"] is NSNull, "unknown is not false")
        #expect((daemon?["reason"] as? String)?.contains("evald.lock") == true)

        try FileManager.default.removeItem(atPath: lock)
        let stopped = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--config", config.configPath], directory: dir.url.path)
        #expect(stopped.status == 3)
        #expect(stopped.stdout.contains("not running"))
    }
}
