#if canImport(Glibc)
import EvalOperator
import Glibc
#endif
import EvalAgent
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// evald as a real process → platform-sim over loopback, fed by the simulated keypad.
@Suite("evald → platform-sim end to end", .serialized)
struct PipelineEndToEndTests {
    static func startDaemon(_ config: TestConfig, notify: NotifySocket? = nil) async throws -> ChildProcess {
        var environment: [String: String] = [:]
        if let notify { environment["NOTIFY_SOCKET"] = notify.path }
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], environment: environment,
                               directory: config.directory)
        let ready = await eventually(timeout: .seconds(30)) {
            (try? AgentStatus.read(from: config.statusPath))?.phase == "running" && (try? AgentStatus.read(from: config.statusPath))?.pid == daemon.pid
        }
        #expect(ready, "evald not ready; stderr:\n\(daemon.stderr)")
        return daemon
    }

    static func queueIds(_ config: TestConfig) throws -> (all: Set<String>, undelivered: Int) {
        let records = try QueueReader(path: config.queuePath).list(QueueListQuery(limit: 1_000_000))
        return (Set(records.map(\.id.description)), records.filter { $0.state.isUndelivered }.count)
    }

    @Test func aSceneArrivesAtThePlatformWithRepeatsFilteredAndBadReviewsLedgered() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await Self.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        defer { keypad.close() }

        keypad.scan("STAFF:zhangsan:张三")
        keypad.press(4)                         // anonymous
        keypad.scan("MS-2026-1129-000001")
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(5)                         // the case
        try await Task.sleep(for: .milliseconds(150))
        keypad.press(5)                         // repeat → filtered
        keypad.scan("MS-2026-1129-000002")
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(1)                         // bad review

        #expect(await eventually(timeout: .seconds(20)) { (try? await sim.stats().unique) == 3 }, "stderr:\n\(daemon.stderr)")
        #expect(await eventually(timeout: .seconds(10)) { (try? Self.queueIds(config).undelivered) == 0 })
        let ids = try Self.queueIds(config)
        #expect(ids.all == Set(try await sim.uniqueIds()))

        let records = try QueueReader(path: config.queuePath).list(QueueListQuery(limit: 10, order: .oldestFirst))
        #expect(records.map(\.evaluation.satisfaction) == [.satisfied, .verySatisfied, .veryDissatisfied])
        #expect(records[1].evaluation.projectNo == "MS-2026-1129-000001")
        #expect(records[1].evaluation.evaluatedPersons.first?.loginName == "zhangsan")
        #expect(records[0].evaluation.projectNo == nil)

        // evalctl sees the same, while evald runs.
        let status = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--json", "--config", config.configPath], directory: dir.url.path)
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let queue = object?["queue"] as? [String: Any]
        #expect(queue?["pending"] as? Int == 0)
        #expect(queue?["delivered"] as? Int == 3)
        #expect((object?["daemon"] as? [String: Any])?["running"] as? Bool == true)
        let bad = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["bad-reviews", "--json", "--config", config.configPath], directory: dir.url.path)
        #expect(bad.status == 0, "\(bad.stderr)")
        #expect(bad.stdout.contains("MS-2026-1129-000002"))
        // A follow-up step goes through evald's control socket while it runs.
        let badRows = try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [[String: Any]]
        let badId = try #require(badRows?.first?["evaluationId"] as? String)
        let verify = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["bad-reviews", "verify", badId, "--valid", "--reason", "属实",
                                                                       "--config", config.configPath], directory: dir.url.path)
        #expect(verify.status == 0 && verify.stdout.contains("verified"), "\(verify)")
        let shown = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["bad-reviews", "show", badId, "--json", "--config", config.configPath],
                                        directory: dir.url.path)
        #expect((try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["stage"] as? String == "verified", "\(shown)")
        let audit = try String(contentsOfFile: (config.stateDirectory as NSString).appendingPathComponent("audit.log"), encoding: .utf8)
        #expect(audit.contains("verb=bad-review-verify evaluationId=\(badId)"))
        // Through the running daemon: its row names the uid the kernel gave for the socket.
        let rows = try QueueReader(path: config.queuePath).auditEntries()
        #expect(rows.map(\.verb) == ["bad-review-verify"] && rows.first?.evaluationId?.description == badId)
        #expect(rows.first?.actor.via == .controlSocket && rows.first?.actor.uid == UInt32(getuid()))

        // The repeated press was filtered, and counted.
        let metricsLine = daemon.stderr.contains("press filtered (repeat)")
        #expect(metricsLine, "stderr:\n\(daemon.stderr)")

        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
    }

    @Test func sigkillMidStreamLosesAndDoublesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        // Slow answers and dropped connections, so the kill lands with requests in flight.
        try await sim.setFaults(#"{"latencyMs": 40, "dropRate": 0.2}"#)
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)

        var daemon = try await Self.startDaemon(config)
        try await keypad.connect(timeout: .seconds(10))
        // Presses 60 ms apart: above the debounce, anonymous counter with no minimum interval.
        for i in 0..<40 {
            keypad.press(1 + i % 5)
            try await Task.sleep(for: .milliseconds(60))
        }
        _ = await eventually(timeout: .seconds(10)) { ((try? await sim.stats().unique) ?? 0) >= 5 }
        daemon.send(SIGKILL)
        _ = try await daemon.waitForExit(timeout: .seconds(10))
        keypad.close()
        let afterKill = try Self.queueIds(config)
        #expect(afterKill.all.count > 0)

        daemon = try await Self.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        for i in 0..<10 {
            keypad.press(1 + i % 5)
            try await Task.sleep(for: .milliseconds(60))
        }
        keypad.close()
        try await sim.clearFaults()
        #expect(await eventually(timeout: .seconds(30)) { (try? Self.queueIds(config).undelivered) == 0 }, "stderr:\n\(daemon.stderr)")
        let final = try Self.queueIds(config)
        #expect(final.all.isSuperset(of: afterKill.all), "an acknowledged evaluation vanished")
        let platform = try await sim.uniqueIds()
        #expect(Set(platform) == final.all, "platform \(platform.count) vs queue \(final.all.count)")
        #expect(platform.count == Set(platform).count)
        let stats = try await sim.stats()
        #expect(stats.unique == final.all.count)
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
    }
}
