import EvalTesting
import Foundation

/// Writes an evald.toml for a test: everything under `directory`, loopback only,
/// the simulated keypad on a FIFO, no hardware backends.
struct TestConfig {
    var directory: String
    var platformURL = "http://127.0.0.1:9/api/v1"
    var metricsPort: Int? = nil
    var extra = ""
    /// `[platform] adapter`: a definition file (issue 26); nil: the built-in evald-json/1.
    var adapter: String?
    /// No `app_secret_file`: the secret comes from the systemd credential, as under the packaged unit.
    var secretFromCredential = false
    /// The window's devices; a test reading an emulated node adds its deviceId.
    var windowDevices = ["simulated-keypad"]
    /// Read hidraw nodes (under umockdev-run), with profiles from `profileDir`.
    var hidraw = false
    var profileDir: String?
    /// More `[[window]]` keys (the keypad reason step, national fields).
    var windowExtra = ""
    /// `[devices] serial_ports` entries, e.g. `{ path = "…", profile = "…" }`.
    var serialPorts: [String] = []

    var stateDirectory: String { (directory as NSString).appendingPathComponent("state") }
    var configPath: String { (directory as NSString).appendingPathComponent("evald.toml") }
    var secretPath: String { (directory as NSString).appendingPathComponent("app-secret") }
    var fifoPath: String { (directory as NSString).appendingPathComponent("keypad.fifo") }
    var queuePath: String { (stateDirectory as NSString).appendingPathComponent("queue.db") }
    var statusPath: String { (stateDirectory as NSString).appendingPathComponent("status.json") }

    func write() throws {
        try Data("test-secret\n".utf8).write(to: URL(fileURLWithPath: secretPath))
        let metrics = metricsPort.map { "127.0.0.1:\($0)" } ?? ""
        let secretLine = secretFromCredential ? "" : "app_secret_file = \"\(secretPath)\""
        let text = """
        [agent]
        state_dir = "\(stateDirectory)"
        log_level = "debug"
        metrics_listen = "\(metrics)"
        status_interval_seconds = 1

        [platform]
        base_url = "\(platformURL)"
        app_key = "test-key"
        \(adapter.map { "adapter = \"\($0)\"" } ?? "")
        \(secretLine)
        request_timeout_ms = 2000
        backoff_base_ms = 50
        backoff_cap_ms = 500

        [[window]]
        area_code = "533103"
        dept_code = "11533103MB1234567X"
        dept_name = "芒市政务服务管理局"
        hall_code = "H1"
        window_code = "W01"
        staff = [{ login_name = "zhangsan", name = "张三" }]
        devices = [\(windowDevices.map { "\"\($0)\"" }.joined(separator: ", "))]
        \(windowExtra)

        [devices]
        simulated_keypad = "\(fifoPath)"
        evdev = false
        libusb = false
        hidraw = \(hidraw)
        \(profileDir.map { "profile_dir = \"\($0)\"" } ?? "")
        \(serialPorts.isEmpty ? "" : "serial_ports = [\(serialPorts.joined(separator: ", "))]")

        [sessions]
        debounce_ms = 50
        min_interval_ms = 0
        calendar_dir = "\(BuiltProducts.packageRoot.appendingPathComponent("config/calendars").path)"
        scan_rules_file = "\(BuiltProducts.packageRoot.appendingPathComponent("config/scan-rules.json").path)"
        reason_codes_file = "\(BuiltProducts.packageRoot.appendingPathComponent("config/reason-codes.json").path)"

        \(extra)
        """
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
    }
}
