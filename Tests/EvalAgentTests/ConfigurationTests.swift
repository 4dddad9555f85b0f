import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

@Suite("Configuration: evald.toml → typed configuration")
struct ConfigurationTests {
    static let minimal = """
    [platform]
    base_url = "http://127.0.0.1:8080/api/v1"
    app_key = "k"
    app_secret_file = "/nonexistent/secret"

    [[window]]
    area_code = "533103"
    window_code = "W01"
    devices = ["simulated-keypad"]
    """

    @Test func theProductionExampleIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/evald.toml").path
        let check = ConfigurationLoader.load(path: path)
        #expect(check.errors.isEmpty, "\(check.errors)")
        let c = try check.get()
        #expect(c.windows.count == 2)
        #expect(c.windows[0].staff == [StaffEntry(loginName: "zhangsan", name: "张三")])
        #expect(c.windows[0].devices == ["KP2024000123", "SC9988776655"])
        #expect(c.platform.pfMap == [5: 5])
        #expect(c.alert.command.first == "/usr/local/bin/evald-alert")
        #expect(c.agent.metricsListen == HostAndPort(host: "127.0.0.1", port: 9464))
    }

    @Test func defaultsFillWhatIsNotSaid() throws {
        let c = try ConfigurationLoader.parse(text: Self.minimal).get()
        #expect(c.agent.stateDirectory == "/var/lib/evald")
        #expect(c.agent.resolvedLockFile == "/var/lib/evald/evald.lock")
        #expect(c.queue.resolvedPath(stateDirectory: c.agent.stateDirectory) == "/var/lib/evald/queue.db")
        #expect(c.platform.batchSize == 100)
        #expect(c.sessions.debounceMillis == 50)
        #expect(c.windows[0].pf == 5)
    }

    @Test func everyErrorIsReportedWithItsSectionKeyAndLine() throws {
        let text = """
        [agent]
        state_dir = "relative/dir"
        log_level = "loud"

        [platform]
        base_url = "ftp://x"
        app_key = "k"
        batch_size = 500
        base_ulr = "typo"

        [[window]]
        area_code = "53"
        window_code = "W01"
        devices = ["A"]

        [[window]]
        area_code = "533103"
        window_code = "W02"
        devices = ["A"]
        """
        let check = ConfigurationLoader.parse(text: text)
        #expect(check.configuration == nil)
        func issue(_ location: String) -> ConfigurationIssue? { check.errors.first { $0.location == location } }
        #expect(issue("[agent] state_dir")?.line == 2)
        #expect(issue("[agent] log_level")?.line == 3)
        #expect(issue("[platform] base_url")?.line == 6)
        #expect(issue("[platform] batch_size")?.line == 8)
        #expect(issue("[platform] base_ulr")?.message.contains("unknown key") == true)
        #expect(issue("[platform] base_ulr")?.line == 9)
        #expect(issue("[[window]] #1 area_code")?.line == 12)
        #expect(issue("[[window]] #2 devices")?.message.contains("already bound") == true)
        #expect(issue("[[window]] #2 devices")?.line == 19)
        #expect(check.errors.count == 7, "\(check.errors)")
    }

    /// Issue 24: names and ID numbers never travel in clear by accident.
    @Test func plainHTTPToAnotherHostIsRefusedUnlessAllowed() throws {
        let remote = Self.minimal.replacingOccurrences(of: "http://127.0.0.1:8080", with: "http://10.1.2.3:8080")
        let refused = ConfigurationLoader.parse(text: remote)
        #expect(refused.configuration == nil)
        #expect(refused.errors.first { $0.location == "[platform] base_url" }?.message.contains("allow_insecure_http") == true)

        let allowed = ConfigurationLoader.parse(text: remote.replacingOccurrences(of: "app_key = \"k\"", with: "app_key = \"k\"\nallow_insecure_http = true"))
        #expect(allowed.errors.isEmpty, "\(allowed.errors)")
        #expect(allowed.warnings.contains { $0.location == "[platform] base_url" && $0.message.contains("unencrypted") })
        // Loopback (the simulator) and https need nothing.
        #expect(ConfigurationLoader.parse(text: Self.minimal).warnings.isEmpty)
    }

    @Test func aSyntaxErrorNamesItsLine() {
        let check = ConfigurationLoader.parse(text: "[agent]\nlog_level = \"info\"\nstate_dir = \n")
        #expect(check.configuration == nil)
        #expect(check.errors.count == 1)
        #expect(check.errors.first?.location == "syntax")
        #expect(check.errors.first?.line == 3)
    }

    @Test func wrongTypesAreExplained() {
        let check = ConfigurationLoader.parse(text: Self.minimal + "\n[sessions]\ndebounce_ms = \"fifty\"\ndefault_ratings = 1\n")
        let messages = check.errors.map(\.description)
        #expect(messages.contains { $0.contains("[sessions] debounce_ms") && $0.contains("expected an integer, found string") })
        #expect(messages.contains { $0.contains("[sessions] default_ratings") && $0.contains("expected true or false") })
    }

    @Test func aBinaryOrMissingFileIsAClearErrorNotACrash() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let binary = dir.path("evald.toml")
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: binary))
        let check = ConfigurationLoader.load(path: binary)
        #expect(check.errors.first?.message.contains("not a UTF-8 text file") == true)

        let missing = ConfigurationLoader.load(path: dir.path("absent.toml"))
        #expect(missing.errors.first?.message.contains("file not found") == true)

        let truncated = dir.path("truncated.toml")
        try Data("[platform]\nbase_url = \"http://127.0.0.1".utf8).write(to: URL(fileURLWithPath: truncated))
        let syntax = ConfigurationLoader.load(path: truncated)
        #expect(syntax.errors.first?.location == "syntax")
    }

    @Test func metricsMayBeTurnedOffAndNonLoopbackIsWarned() throws {
        let off = try ConfigurationLoader.parse(text: "[agent]\nmetrics_listen = \"\"\n" + Self.minimal).get()
        #expect(off.agent.metricsListen == nil)
        let open = ConfigurationLoader.parse(text: "[agent]\nmetrics_listen = \"0.0.0.0:9464\"\n" + Self.minimal)
        #expect(open.warnings.contains { $0.location == "[agent] metrics_listen" })
        #expect(open.errors.isEmpty)
    }

    @Test func mTLSNeedsBothFiles() {
        let check = ConfigurationLoader.parse(text: Self.minimal.replacingOccurrences(
            of: "app_key = \"k\"", with: "app_key = \"k\"\nclient_cert_file = \"/etc/evald/c.pem\""))
        #expect(check.errors.contains { $0.location == "[platform] client_cert_file" && $0.message.contains("both") })
    }
}
