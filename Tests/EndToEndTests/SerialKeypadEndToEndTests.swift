import EvalAPIClient
import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// Issue 25 end to end: a real evald reads a serial keypad (a pty played by
/// `SerialDeviceEmulator`) named the way a technician names a built-in UART
/// (`[devices] serial_ports`), bound by address (`tty-ttyKEYPAD@1`). A case
/// opened through the counter API sends the invite frame to the device, the
/// device's key rates the case, the thanks frame follows, and the platform
/// gets the evaluation exactly once.
@Suite(.serialized) struct SerialKeypadEndToEndTests {
    @Test func aSerialKeypadRatesACaseOpenedThroughTheCounterAPI() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-serial-e2e")
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        let device = try SerialDeviceEmulator(link: dir.path("ttyKEYPAD"))
        defer { device.unplug() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        let metricsPort = freeLoopbackPort()
        config.metricsPort = metricsPort
        config.windowDevices = ["tty-ttyKEYPAD@1"]
        config.serialPorts = [#"{ path = "\#(dir.path("ttyKEYPAD"))", profile = "serial-binary-push-xor8" }"#]
        let socket = dir.path("api.sock")
        config.extra = """
            [api]
            socket = "\(socket)"
            """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        defer { keypad.close() }
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        let api = LocalHTTPClient(.unix(socket))
        try await eventually("tty-ttyKEYPAD@1 online in /v1/windows; stderr:\n\(daemon.stderr)", timeout: .seconds(30)) {
            guard let windows = try? api.request("GET", "/v1/windows") else { return false }
            let list = (try? JSONSerialization.jsonObject(with: windows.body)) as? [String: Any]
            let devices = ((list?["windows"] as? [[String: Any]]) ?? []).flatMap { ($0["devices"] as? [[String: Any]]) ?? [] }
            return devices.contains { $0["deviceId"] as? String == "tty-ttyKEYPAD@1" && $0["online"] as? Bool == true }
        }
        // evalctl devices lists the line with its address's window.
        let listed = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["devices", "--json", "--config", config.configPath],
                                                directory: config.directory)
        let entries = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [[String: Any]] ?? []
        let line = entries.first { $0["deviceId"] as? String == "tty-ttyKEYPAD" }
        #expect(line?["kind"] as? String == "tty" && line?["online"] as? Bool == true, "\(listed)")
        #expect(line?["profile"] as? String == "serial-binary-push-xor8" && line?["busWindows"] as? [String] == ["@1=H1/W01"], "\(listed)")
        let events = try EventStreamClient(api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))

        let opened = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-SERIAL-1","countdownSeconds":60}"#)
        #expect(opened.status == 201, "\(opened)")
        // The invite frame reaches the device, byte for byte: AA <addr 01> 01 00 <xor>.
        try await device.expect([0xAA, 0x01, 0x01, 0x00, 0x00])
        // The citizen presses key 02 (满意 on this model).
        device.send([0xAA, 0x01, 0x4B, 0x02, 0x48])
        let rated = try #require(events.next("rated", timeout: .seconds(20)), "stderr:\n\(daemon.stderr)")
        #expect(rated.json["serviceId"] == opened.json?["serviceId"] as? String)
        #expect(rated.json["satisfaction"] == "4")
        try await device.expect([0xAA, 0x01, 0x02, 0x00, 0x03])
        // Noise and a wrong checksum on the line afterwards are no second rating.
        device.send([0x13, 0x37, 0xAA, 0x01, 0x4B, 0x02, 0x49])
        #expect(await eventually(timeout: .seconds(20)) { (try? await sim.stats().unique) == 1 })
        let stats = try await sim.stats()
        #expect(stats.unique == 1 && stats.duplicates == 0 && stats.received == 1, "\(stats)")
        // What the line heard is on /metrics (a scrape is rebuilt at most once a second).
        let metrics = LocalHTTPClient(.tcp(port: metricsPort))
        try await eventually("serial counters on /metrics", timeout: .seconds(20)) {
            let text = (try? metrics.request("GET", "/metrics")).map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            return text.contains("evald_serial_bad_checksum_total{line=\"tty-ttyKEYPAD\"} 1")
                && text.contains("evald_serial_garbled_total{line=\"tty-ttyKEYPAD\"} 1")
                && text.contains("evald_serial_frames_total{line=\"tty-ttyKEYPAD\"} 1")
                && text.contains("evald_device_offline_seconds{device=\"tty-ttyKEYPAD@1\",window=\"W01\"} 0.000")
        }
        // Unplugged: the window's evaluator is offline, since when is in the status and on /metrics.
        device.unplug()
        try await eventually("offline in the status", timeout: .seconds(20)) {
            let status = try? AgentStatus.read(from: config.statusPath)
            return status?.devices.first { $0.deviceId == "tty-ttyKEYPAD@1" }.map { !$0.online && $0.offlineSince != nil } ?? false
        }
        let evalctl = try BuiltProducts.executable(named: "evalctl")
        let shown = try await ChildProcess.run(evalctl, arguments: ["status", "--config", config.configPath], directory: config.directory)
        #expect(shown.stdout.contains("tty-ttyKEYPAD@1→W01 (offline since "), "\(shown)")
        try await eventually("offline time on /metrics", timeout: .seconds(20)) {
            let text = (try? metrics.request("GET", "/metrics")).map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            return text.contains("evald_device_offline_seconds{device=\"tty-ttyKEYPAD@1\",window=\"W01\"}")
                && !text.contains("evald_device_offline_seconds{device=\"tty-ttyKEYPAD@1\",window=\"W01\"} 0.000")
        }
        #expect(daemon.isRunning, "stderr:\n\(daemon.stderr)")
    }

    /// `evalctl devices watch --tty`: the raw bytes of an unknown serial
    /// keypad, one burst per line with its timing, at the line setting given.
    @Test func evalctlWatchShowsATTYsRawBurstsWithTiming() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-serial-watch")
        defer { dir.remove() }
        let device = try SerialDeviceEmulator(link: dir.path("ttyWATCH"))
        defer { device.unplug() }
        let evalctl = try BuiltProducts.executable(named: "evalctl")
        let watch = try ChildProcess(evalctl, arguments: ["devices", "watch", "--tty", dir.path("ttyWATCH"), "--line", "9600 8N1", "--seconds", "60"],
                                     directory: dir.url.path)
        defer { watch.stop() }
        // Bytes sent before evalctl opened the port are flushed at its open: repeat the first press until it shows.
        try await eventually("the first burst; stdout:\n\(watch.stdout)") {
            device.send([0xAA, 0x01, 0x4B, 0x02, 0x48])
            try await Task.sleep(for: .milliseconds(300))
            return watch.stdout.contains("5 bytes  aa 01 4b 02 48  |..K.H|")
        }
        device.send(Array("#03,5\r\n".utf8))
        try await eventually("the second burst, timed after the first; stdout:\n\(watch.stdout)") {
            watch.stdout.split(separator: "\n").contains { $0.contains(" ms +") && $0.hasSuffix("7 bytes  23 30 33 2c 35 0d 0a  |#03,5..|") }
        }
        let lines = watch.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "watching \(dir.path("ttyWATCH")) at 9600 8N1 for 60 s (Ctrl-C to stop)…", "\(watch.stdout)")
        #expect(lines.contains { $0.hasPrefix("t=") && $0.hasSuffix("ms  5 bytes  aa 01 4b 02 48  |..K.H|") }, "\(watch.stdout)")
        let bad = try await ChildProcess.run(evalctl, arguments: ["devices", "watch", "--tty", dir.path("ttyWATCH"), "--line", "9601"], directory: dir.url.path)
        #expect(bad.status != 0 && bad.stderr.contains("--line 9601"), "\(bad)")
    }
}
