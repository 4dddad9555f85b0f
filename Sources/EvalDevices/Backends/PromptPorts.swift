import Dispatch
import EvalCore
import Synchronization

/// Why a prompt did not reach a device.
public enum PromptFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No reader holds the device now (unplugged, not yet attached, or not read by this agent).
    case notConnected(deviceId: String)
    /// Its profile declares no output for this prompt.
    case notDeclared(deviceId: String, CounterPrompt)
    /// The device refused it or went away mid-write.
    case writeFailed(deviceId: String, String)

    public var description: String {
        switch self {
        case .notConnected(let id): "device \(id) is not connected (or not read by evald)"
        case .notDeclared(let id, let prompt): "the profile of device \(id) declares no \"\(prompt.rawValue)\" output"
        case .writeFailed(let id, let reason): "device \(id): \(reason)"
        }
    }
}

/// The devices that can be prompted now, by deviceId. A reader whose profile
/// declares `outputs` registers a port while it holds the device and retires
/// it before closing the device, so a write never meets a closed (or reused)
/// descriptor or handle.
public final class PromptPorts: Sendable {
    private let ports = Mutex<[String: PromptPort]>([:])

    public init() {}

    /// Sends `prompt`'s output to the device, on that device's own queue (a
    /// stuck device holds up only its own prompts); `completion` runs there.
    public func send(_ prompt: CounterPrompt, to deviceId: String,
                     completion: @escaping @Sendable (Result<OutputAction, PromptFailure>) -> Void) {
        guard let port = ports.withLock({ $0[deviceId] }) else { return completion(.failure(.notConnected(deviceId: deviceId))) }
        guard let action = port.outputs[prompt] else { return completion(.failure(.notDeclared(deviceId: deviceId, prompt))) }
        port.perform(prompt, action, completion: completion)
    }

    /// The same, awaited: what was sent, or why not (a technician's trial, the probe).
    public func send(_ prompt: CounterPrompt, to deviceId: String) async -> Result<OutputAction, PromptFailure> {
        await withCheckedContinuation { continuation in
            send(prompt, to: deviceId) { continuation.resume(returning: $0) }
        }
    }

    /// The prompts `deviceId` can show now (empty when it is not connected).
    public func declared(for deviceId: String) -> [CounterPrompt] {
        ports.withLock { $0[deviceId]?.outputs.declared } ?? []
    }

    /// A reader holding a device offers its outputs (nil: it declares none);
    /// it retires the returned port before closing the device.
    func offer(deviceId: String, outputs: PromptOutputs?, writer: @escaping PromptPort.Writer) -> PromptPort? {
        guard let outputs else { return nil }
        let port = PromptPort(deviceId: deviceId, outputs: outputs, writer: writer)
        register(port)
        return port
    }

    func register(_ port: PromptPort) {
        ports.withLock { $0[port.deviceId] = port }
    }

    /// Removes `port` (if a newer reader has not replaced it) and waits for
    /// its writes in progress; after this the caller may close the device.
    func retire(_ port: PromptPort) {
        ports.withLock { if $0[port.deviceId] === port { $0[port.deviceId] = nil } }
        port.retire()
    }
}

/// One device's outputs and how to write them; writes run one at a time on its queue.
final class PromptPort: Sendable {
    typealias Writer = @Sendable (CounterPrompt, OutputAction) -> String?

    let deviceId: String
    let outputs: PromptOutputs
    private let queue: DispatchQueue
    /// Performs one output on the device; returns why it failed, nil when sent.
    private let writer: Writer
    private let retired = Mutex(false)

    init(deviceId: String, outputs: PromptOutputs, writer: @escaping Writer) {
        self.deviceId = deviceId
        self.outputs = outputs
        self.writer = writer
        queue = DispatchQueue(label: "evald.prompt.\(deviceId)")
    }

    func perform(_ prompt: CounterPrompt, _ action: OutputAction, completion: @escaping @Sendable (Result<OutputAction, PromptFailure>) -> Void) {
        queue.async { [self] in
            if retired.withLock({ $0 }) { return completion(.failure(.notConnected(deviceId: deviceId))) }
            if let failure = writer(prompt, action) { return completion(.failure(.writeFailed(deviceId: deviceId, failure))) }
            completion(.success(action))
        }
    }

    /// Waits for a write in progress; later ones fail as not connected.
    func retire() {
        queue.sync { retired.withLock { $0 = true } }
    }
}
