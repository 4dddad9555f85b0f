import EvalCore
import EvalDevices
import Logging
import Synchronization

/// Sends the sessions' prompts to the evaluators bound to their window: the
/// session says *when* (a service opened, a rating stored, a countdown run
/// out), each device's profile *how*. A device whose profile declares no
/// output for a prompt is skipped without a word: most keypads show nothing.
/// A failed write is logged and changes nothing else (a prompt is a courtesy
/// to the citizen, never part of the evaluation).
final class CounterPrompter: Sendable {
    let ports: PromptPorts
    private let bindings: Mutex<[DeviceBinding]>
    private let logger: Logger
    private let metrics: AgentMetrics?

    init(ports: PromptPorts, bindings: [DeviceBinding], logger: Logger, metrics: AgentMetrics? = nil) {
        self.ports = ports
        self.bindings = Mutex(bindings)
        self.logger = logger
        self.metrics = metrics
    }

    /// SIGHUP: the window of each device may have changed.
    func update(_ fresh: [DeviceBinding]) {
        bindings.withLock { $0 = fresh }
    }

    /// The devices of `prompt`'s window that declare its output.
    func targets(of prompt: WindowPrompt) -> [String] {
        let bound = bindings.withLock { bindings in
            bindings.filter { $0.serves(windowCode: prompt.windowCode, hallCode: prompt.hallCode) }
        }
        return bound.map(\.deviceId).filter { ports.declared(for: $0).contains(prompt.prompt) }
    }

    func prompt(_ prompt: WindowPrompt) {
        let logger = self.logger
        let metrics = self.metrics
        for deviceId in targets(of: prompt) {
            ports.send(prompt.prompt, to: deviceId) { result in
                switch result {
                case .success(let action):
                    metrics?.recordPrompt(prompt.prompt, shown: true)
                    logger.info("prompt \(prompt.prompt.rawValue) sent to \(deviceId) (\(action))", metadata: ["window": "\(prompt.windowCode)"])
                case .failure(let failure):
                    metrics?.recordPrompt(prompt.prompt, shown: false)
                    logger.warning("prompt \(prompt.prompt.rawValue) not shown: \(failure)", metadata: ["window": "\(prompt.windowCode)"])
                }
            }
        }
    }

    /// `evalctl devices prompt DEVICE PROMPT`: one prompt to one device, awaited.
    func trial(_ prompt: CounterPrompt, deviceId: String) async -> Result<OutputAction, PromptFailure> {
        await ports.send(prompt, to: deviceId)
    }
}
