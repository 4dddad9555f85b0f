@testable import EvalAgent
import EvalCore
@testable import EvalDevices
import Logging
import Testing

/// The daemon's prompter: a window's prompt reaches the devices bound to that
/// window (in that hall) whose profile declares it, and follows a reload.
@Suite struct CounterPrompterTests {
    static func port(_ deviceId: String, _ outputs: PromptOutputs) -> PromptPort {
        PromptPort(deviceId: deviceId, outputs: outputs) { _, _ in nil }
    }

    @Test func aPromptReachesTheWindowsDevicesThatDeclareIt() {
        let ports = PromptPorts()
        let all = PromptOutputs(invite: .outputReport([0, 1]), thanks: .outputReport([0, 2]), timeout: .outputReport([0, 3]))
        ports.register(Self.port("K1", all))
        ports.register(Self.port("K2", PromptOutputs(thanks: .outputReport([0, 2]))))
        ports.register(Self.port("K3", all))
        ports.register(Self.port("K4", all))
        let prompter = CounterPrompter(ports: ports, bindings: [
            DeviceBinding(deviceId: "K1", hallCode: "H1", windowCode: "W01"),
            DeviceBinding(deviceId: "K2", windowCode: "W01"),
            DeviceBinding(deviceId: "K3", hallCode: "H2", windowCode: "W01"),  // same window code, another hall
            DeviceBinding(deviceId: "K4", windowCode: "W02"),
            DeviceBinding(deviceId: "SCANNER", windowCode: "W01"),              // no port: not read with outputs
        ], logger: Logger(label: "test"))

        #expect(prompter.targets(of: WindowPrompt(.invite, windowCode: "W01", hallCode: "H1")) == ["K1"])
        #expect(prompter.targets(of: WindowPrompt(.thanks, windowCode: "W01", hallCode: "H1")) == ["K1", "K2"])
        #expect(prompter.targets(of: WindowPrompt(.timeout, windowCode: "W02")) == ["K4"])

        prompter.update([DeviceBinding(deviceId: "K4", windowCode: "W01")])
        #expect(prompter.targets(of: WindowPrompt(.invite, windowCode: "W01", hallCode: "H1")) == ["K4"], "a reload moves K4 to W01")
        #expect(prompter.targets(of: WindowPrompt(.invite, windowCode: "W02")).isEmpty)
    }

    /// A window configured without a hall: a device bound to a hall does not
    /// serve it — its presses are not routed there (`CounterPipeline`, the same
    /// `DeviceBinding.serves`), so neither are that window's prompts.
    @Test func aPromptOfAWindowWithoutAHallSkipsDevicesBoundToAHall() {
        let ports = PromptPorts()
        let all = PromptOutputs(invite: .outputReport([0, 1]), thanks: .outputReport([0, 2]), timeout: .outputReport([0, 3]))
        ports.register(Self.port("K1", all))
        ports.register(Self.port("K2", all))
        let bindings = [
            DeviceBinding(deviceId: "K1", hallCode: "H1", windowCode: "W01"),
            DeviceBinding(deviceId: "K2", windowCode: "W01"),
        ]
        let prompter = CounterPrompter(ports: ports, bindings: bindings, logger: Logger(label: "test"))

        #expect(prompter.targets(of: WindowPrompt(.invite, windowCode: "W01")) == ["K2"])
        #expect(bindings.map { $0.serves(windowCode: "W01", hallCode: nil) } == [false, true])
        #expect(bindings.map { $0.serves(windowCode: "W01", hallCode: "H1") } == [true, true])
        #expect(bindings.map { $0.serves(windowCode: "W02", hallCode: "H1") } == [false, false])
    }

    /// `evald_prompts_total`: each write counted by prompt and outcome, and
    /// every series present from the start (zeros), so an alert on failed
    /// prompts can be written before the first one fails.
    @Test func promptsAreCountedByKindAndOutcome() async {
        let ports = PromptPorts()
        let outputs = PromptOutputs(invite: .outputReport([0, 1]))
        let shown = Self.port("K1", outputs)
        let broken = PromptPort(deviceId: "K2", outputs: outputs) { _, _ in "write: Broken pipe" }
        ports.register(shown)
        ports.register(broken)
        let metrics = AgentMetrics()
        let prompter = CounterPrompter(ports: ports, bindings: [
            DeviceBinding(deviceId: "K1", windowCode: "W01"),
            DeviceBinding(deviceId: "K2", windowCode: "W01"),
        ], logger: Logger(label: "test"), metrics: metrics)

        prompter.prompt(WindowPrompt(.invite, windowCode: "W01"))
        // Retiring a port waits for its writes in progress and their completions.
        ports.retire(shown)
        ports.retire(broken)

        let text = await metrics.render()
        #expect(text.contains(#"evald_prompts_total{prompt="invite",outcome="shown"} 1"#))
        #expect(text.contains(#"evald_prompts_total{prompt="invite",outcome="failed"} 1"#))
        #expect(text.contains(#"evald_prompts_total{prompt="thanks",outcome="shown"} 0"#))
        #expect(text.contains(#"evald_prompts_total{prompt="timeout",outcome="failed"} 0"#))
    }
}
