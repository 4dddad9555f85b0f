#if canImport(Glibc)
import EvalOperator
import Glibc
#endif
import EvalAPIClient
import EvalAgent
import EvalTesting
import Foundation
import Testing

/// A keypad that shows prompts (issue 11, item 4): a real evald reads an
/// umockdev-emulated hidraw keypad whose profile declares `outputs`. The
/// device's script *expects* the writes: a `w` line must match the bytes
/// written exactly (else umockdev aborts evald), and the press after it is
/// only delivered once the invite was written.
@Suite("device prompts end to end", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-run")))
struct DevicePromptEndToEndTests {
    static let fixtures = BuiltProducts.packageRoot.appendingPathComponent("Tests/EvalDevicesTests/Fixtures/umockdev").path

    /// Bitmap keypad 1209:e7a3 (serial BM-7): byte 1 bit n = button n+1.
    static let profile = """
        {
          "name": "prompting-keypad",
          "match": { "vendorId": "1209", "productId": "e7a3" },
          "backend": "hidraw",
          "role": "keypad",
          "report": { "length": 2, "offset": 1, "mask": 31, "bitmap": true },
          "outputs": {
            "invite": { "report": "02 01" },
            "thanks": { "report": "02 02" },
            "timeout": { "report": "02 03" }
          }
        }
        """

    /// invite, then the press of button 2 (满意) and its release, then thanks,
    /// then the timeout a technician sends with `evalctl devices prompt`.
    static let script = """
        w 0 ^B^A
        r 100 ^@^B
        r 50 ^@^@
        w 0 ^B^B
        w 0 ^B^C

        """

    @Test func aServiceInvitesThePressIsThankedAndATechnicianCanTryAPrompt() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-prompt")
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        let profiles = dir.path("profiles")
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        try Data(Self.profile.utf8).write(to: URL(fileURLWithPath: (profiles as NSString).appendingPathComponent("prompting-keypad.json")))
        let script = dir.path("prompts.script")
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: script))

        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.windowDevices = ["simulated-keypad", "BM-7"]
        config.hidraw = true
        config.profileDir = profiles
        let socket = dir.path("api.sock")
        config.extra = """
            [api]
            socket = "\(socket)"
            """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        defer { keypad.close() }
        let daemon = try ChildProcess(URL(fileURLWithPath: "/usr/bin/umockdev-run"), arguments: [
            "--device", "\(Self.fixtures)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(script)",
            "--", try BuiltProducts.executable(named: "evald").path, "--config", config.configPath,
        ], directory: config.directory)
        // umockdev-run does not pass signals on: stop evald itself, by the pid in its status.
        defer {
            if let pid = (try? AgentStatus.read(from: config.statusPath))?.pid { kill(pid, SIGKILL) }
            daemon.stop()
        }
        try await keypad.connect(timeout: .seconds(20))
        let api = LocalHTTPClient(.unix(socket))
        // The keypad is online once its reader holds the node (and offers its outputs).
        try await eventually("BM-7 online in /v1/windows; stderr:\n\(daemon.stderr)", timeout: .seconds(30)) {
            // The socket appears a moment after the keypad FIFO is opened: retried until then.
            guard let windows = try? api.request("GET", "/v1/windows") else { return false }
            let list = (try? JSONSerialization.jsonObject(with: windows.body)) as? [String: Any]
            let devices = ((list?["windows"] as? [[String: Any]]) ?? []).flatMap { ($0["devices"] as? [[String: Any]]) ?? [] }
            return devices.contains { $0["deviceId"] as? String == "BM-7" && $0["online"] as? Bool == true }
        }
        let events = try EventStreamClient(api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))

        let opened = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-PROMPT-1","countdownSeconds":60}"#)
        #expect(opened.status == 201, "\(opened)")
        // Delivered only after the invite matched the script's first line.
        let rated = try #require(events.next("rated", timeout: .seconds(20)), "stderr:\n\(daemon.stderr)")
        #expect(rated.json["serviceId"] == opened.json?["serviceId"] as? String)
        #expect(rated.json["satisfaction"] == "4", "button 2 is 满意")
        #expect(daemon.stderr.contains("prompt invite sent to BM-7 (output report 02 01)"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("simulated keypad simulated-keypad shows: 请您对本次服务做出评价 (invite)"),
                "every device of the window is prompted; \(daemon.stderr)")
        try await eventually("thanks sent; stderr:\n\(daemon.stderr)", timeout: .seconds(10)) {
            daemon.stderr.contains("prompt thanks sent to BM-7 (output report 02 02)")
        }

        let evalctl = try BuiltProducts.executable(named: "evalctl")
        let tried = try await ChildProcess.run(evalctl, arguments: ["devices", "prompt", "BM-7", "timeout", "--config", config.configPath],
                                               directory: config.directory)
        #expect(tried.status == 0, "\(tried)")
        #expect(tried.stdout == "sent timeout to BM-7: output report 02 03\n", "\(tried)")
        // A device evald does not hold says so, and exits non-zero.
        let none = try await ChildProcess.run(evalctl, arguments: ["devices", "prompt", "BM-8", "invite", "--config", config.configPath],
                                              directory: config.directory)
        #expect(none.status == 1 && none.stderr.contains("device BM-8 is not connected"), "\(none)")
        let unknown = try await ChildProcess.run(evalctl, arguments: ["devices", "prompt", "BM-7", "welcome", "--config", config.configPath],
                                                 directory: config.directory)
        #expect(unknown.status != 0 && unknown.stderr.contains("welcome"), "\(unknown)")
        #expect(daemon.isRunning, "every write matched the device's script (a mismatch aborts evald); stderr:\n\(daemon.stderr)")
    }
}
