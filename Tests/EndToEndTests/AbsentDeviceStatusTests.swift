import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// A bound device that is not attached when evald starts: a warning in the
/// log, and a status line (text and `--json`) until it sends anything (issue 13).
@Suite("a bound device absent at start", .serialized)
struct AbsentDeviceStatusTests {
    @Test func theWarningAndTheStatusLineNameIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = TestConfig(directory: dir.url.path)
        config.extra = """

        [[window]]
        area_code = "533103"
        dept_code = "11533103MB1234567X"
        dept_name = "芒市政务服务管理局"
        hall_code = "H1"
        window_code = "W02"
        staff = [{ login_name = "lisi", name = "李四" }]
        devices = ["KP-ABSENT"]
        """
        try config.write()
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], directory: dir.url.path)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(30)) {
            guard let status = try? AgentStatus.read(from: config.statusPath) else { return false }
            return status.phase == "running" && status.absentSinceStart == ["KP-ABSENT"]
        }, "stderr:\n\(daemon.stderr)")
        #expect(daemon.stderr.contains("\"KP-ABSENT\" is not attached now"), "\(daemon.stderr)")

        let evalctl = try BuiltProducts.executable(named: "evalctl")
        let text = try await ChildProcess.run(evalctl, arguments: ["status", "--config", config.configPath], directory: dir.url.path)
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        // Fitted to 80 columns (a pipe), each value continuing under the value column.
        for line in text.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        let unwrapped = text.stdout.replacingOccurrences(of: "\n" + String(repeating: " ", count: 16), with: " ")
        let absent = unwrapped.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ABSENT:") }
        #expect(absent == ["ABSENT:         KP-ABSENT (window W02) was not attached when evald started and has sent nothing since: plug it in, or check the deviceId (evalctl devices)"],
                "\(text.stdout)")

        let json = try await ChildProcess.run(evalctl, arguments: ["status", "--json", "--config", config.configPath], directory: dir.url.path)
        let devices = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["devices"] as? [String: Any]
        #expect(devices?["absentSinceStart"] as? [String] == ["KP-ABSENT"], "\(json.stdout)")
    }
}
