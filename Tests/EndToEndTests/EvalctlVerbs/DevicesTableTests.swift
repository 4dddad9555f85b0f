import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// `evalctl devices`: the bilingual headings of every evalctl table, and 80
/// columns with the deviceId and window kept (what a [[window]] binds).
@Suite("evalctl devices: a table that fits", .serialized)
struct DevicesTableTests {
    @Test func fitsEightyColumnsKeepingTheBinding() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()

        // The simulated keypad is always listed, whatever USB devices this machine has.
        let devices = try await EvalctlRun.run(config, ["devices"])
        #expect(devices.status == 0, "\(devices.stderr)")
        let table = devices.lines.prefix { !$0.hasPrefix("Unbound") }
        for line in table { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        for heading in ["状态 state", "类型 kind", "设备 deviceId", "窗口 window"] { #expect(devices.lines.first?.contains(heading) == true, "\(devices.stdout)") }
        #expect(devices.lines.contains { $0.contains("simulated-keypad") && $0.contains("H1/W01") }, "\(devices.stdout)")
        let wide = try await EvalctlRun.run(config, ["devices", "--wide"])
        #expect(wide.lines.first?.contains("名称 name") == true && wide.lines.first?.contains("VID:PID") == true, "\(wide.stdout)")
    }
}
