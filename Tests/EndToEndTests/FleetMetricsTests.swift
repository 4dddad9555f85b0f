#if canImport(Glibc)
import Glibc
#endif
import EvalAgent
import EvalTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 12, item 9: the metrics a fleet's alerts need, scraped from a real
/// evald — refused credentials, a failing alert command, the queue's bytes
/// and the disk beside it, devices bound against online.
@Suite("fleet metrics on a real daemon", .serialized)
struct FleetMetricsTests {
    /// The value of one series (`name{labels}`) in an exposition, or nil.
    static func value(_ series: String, in body: String) -> Double? {
        body.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    static func scrape(_ config: TestConfig) async -> String {
        let url = URL(string: "http://127.0.0.1:\(config.metricsPort!)/metrics")!
        return (try? await URLSession.shared.data(from: url)).map { String(decoding: $0.0, as: UTF8.self) } ?? ""
    }

    @Test func credentialsRefusedAlertCommandFailingStorageAndBoundDevices() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The platform knows another secret: every request is refused with a real 401.
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "another-secret-0123456789")
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.metricsPort = freeLoopbackPort()
        // A second window whose keypad is not attached, and an alert command that fails.
        config.extra = """
        [[window]]
        area_code = "533103"
        hall_code = "H1"
        window_code = "W02"
        devices = ["KP-NOT-ATTACHED"]

        [alert]
        command = ["/bin/false"]
        """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        keypad.press(1)  // 非常不满意: a bad review, so the alert command runs

        var body = ""
        let seen = await eventually(timeout: .seconds(30)) {
            body = await Self.scrape(config)
            return (Self.value("evald_delivery_failures_total{reason=\"unauthorized\"}", in: body) ?? 0) >= 1
                && Self.value("evald_alert_command_failures_total", in: body) == 1
                && Self.value("evald_devices_online", in: body) == 1
        }
        #expect(seen, "metrics:\n\(body)\nstderr:\n\(daemon.stderr)")
        #expect(body.contains("# TYPE evald_delivery_failures_total counter"))
        #expect(Self.value("evald_delivery_failures_total{reason=\"transport\"}", in: body) == 0, "a 401 is not a network failure")
        #expect(Self.value("evald_delivery_failures_total{reason=\"rejected\"}", in: body) == 0)
        #expect(Self.value("evald_deliveries_total", in: body) == 0)
        #expect(Self.value("evald_devices_bound", in: body) == 2, "simulated-keypad and KP-NOT-ATTACHED")
        #expect(body.contains("# TYPE evald_alert_command_failures_total counter"))

        // Storage: the queue file and its WAL, and the free space of their file system.
        let queueFileBefore = Double((try FileManager.default.attributesOfItem(atPath: config.queuePath)[.size] as? NSNumber)?.int64Value ?? 0)
        body = await Self.scrape(config)
        let queueBytes = try #require(Self.value("evald_queue_bytes", in: body), "\(body)")
        #expect(queueFileBefore > 0 && queueBytes >= queueFileBefore, "queue.db alone has \(queueFileBefore) bytes; exported \(queueBytes)")
        var fs = statvfs()
        #expect(statvfs(config.stateDirectory, &fs) == 0)
        let free = try #require(Self.value("evald_queue_filesystem_free_bytes", in: body), "\(body)")
        #expect(free > 0 && free <= Double(fs.f_blocks) * Double(fs.f_frsize), "free \(free) of a \(Double(fs.f_blocks) * Double(fs.f_frsize))-byte file system")
        #expect(Self.value("evald_queue_min_free_bytes", in: body) == Double(64 << 20), "the default [queue] min_free_bytes")
        for name in ["evald_queue_bytes", "evald_queue_filesystem_free_bytes", "evald_devices_bound"] {
            #expect(body.contains("# TYPE \(name) gauge"), "\(name) is a gauge")
        }
    }
}
