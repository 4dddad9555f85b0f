import EvalAPIClient
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue 25, item 7: a case opened at a window whose evaluator is offline is
/// marked so in the store by the real daemon, and `evalctl case` says it.
@Suite("a dead evaluator never turns silently into defaults")
struct EvaluatorOfflineEndToEndTests {
    @Test func aCaseOpenedWhileTheKeypadIsAbsentSaysNobodyCouldRate() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-offline")
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        let socket = (dir.url.path as NSString).appendingPathComponent("api.sock")
        config.extra = """
        [api]
        socket = "\(socket)"
        """
        try config.write()
        // The window's only evaluator, the simulated keypad, is never connected.
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        let api = LocalHTTPClient(.unix(socket))
        #expect(await eventually(timeout: .seconds(10)) { (try? api.request("GET", "/v1/windows").status) == 200 }, "stderr:\n\(daemon.stderr)")

        let opened = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-OFFLINE-1","countdownSeconds":60}"#)
        #expect(opened.status == 201, "\(opened)")
        #expect(await eventually(timeout: .seconds(10)) {
            (try? QueueReader(path: config.queuePath).caseReport(of: "MS-OFFLINE-1").evaluatorOfflineAt) != nil
        }, "stderr:\n\(daemon.stderr)")
        #expect(daemon.stderr.contains("case MS-OFFLINE-1 is open while the window's evaluator is offline"))

        let shown = try await EvalctlRun.run(config, ["case", "MS-OFFLINE-1", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect(object?["evaluatorOfflineAt"] is String, "\(shown)")
        let text = try await EvalctlRun.run(config, ["case", "MS-OFFLINE-1"])
        #expect(text.stdout.contains("nobody could rate"), "\(text)")
    }
}
