import EvalCore
@testable import EvalDevices
import Synchronization
import Testing

/// The registry between the readers that hold devices and the prompter.
@Suite struct PromptPortsTests {
    @Test func aPortWritesWhatItsProfileDeclaresAndNothingAfterItIsRetired() async {
        let ports = PromptPorts()
        let written = Mutex<[String]>([])
        let port = PromptPort(deviceId: "K1", outputs: PromptOutputs(invite: .outputReport([2, 1]), timeout: .outputReport([2, 3]))) { prompt, action in
            written.withLock { $0.append("\(prompt.rawValue) \(action)") }
            return prompt == .timeout ? "device said no" : nil
        }
        ports.register(port)
        #expect(ports.declared(for: "K1") == [.invite, .timeout])
        #expect(await ports.send(.invite, to: "K1") == .success(.outputReport([2, 1])))
        #expect(await ports.send(.thanks, to: "K1") == .failure(.notDeclared(deviceId: "K1", .thanks)))
        #expect(await ports.send(.timeout, to: "K1") == .failure(.writeFailed(deviceId: "K1", "device said no")))
        #expect(await ports.send(.invite, to: "K2") == .failure(.notConnected(deviceId: "K2")))

        ports.retire(port)
        #expect(await ports.send(.invite, to: "K1") == .failure(.notConnected(deviceId: "K1")))
        #expect(ports.declared(for: "K1").isEmpty)
        // A write already queued when the port retires does not reach the device either.
        #expect(written.withLock { $0 } == ["invite output report 02 01", "timeout output report 02 03"])
    }

    @Test func aReplugReplacesThePortAndTheOldReaderCannotRetireTheNewOne() async {
        let ports = PromptPorts()
        let old = PromptPort(deviceId: "K1", outputs: PromptOutputs(invite: .outputReport([0, 1]))) { _, _ in nil }
        let new = PromptPort(deviceId: "K1", outputs: PromptOutputs(invite: .outputReport([0, 9]))) { _, _ in nil }
        ports.register(old)
        ports.register(new)
        ports.retire(old)
        #expect(await ports.send(.invite, to: "K1") == .success(.outputReport([0, 9])))
    }
}
