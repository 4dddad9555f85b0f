import EvalCore
import Logging

/// The one node `evalctl devices learn DEVICE` reads, raw only and without a
/// grab: the device's evdev node if it has one (a keyboard-style keypad is
/// read through evdev by the agent too), else its hidraw node, else the USB
/// device itself through libusb.
public struct LearnTarget: Sendable {
    public let entry: DeviceInventory.Entry

    public var source: ProfileLearner.Source {
        switch entry.kind {
        case .evdev: .keys
        case .hidraw: .reports(.hidraw)
        case .usb, .simulated: .reports(.libusb)
        case .tty: .reports(.serial)
        }
    }

    public func learner() -> ProfileLearner {
        ProfileLearner(identity: entry.identity, source: source, interface: entry.interface)
    }

    /// Raw input of this device (and its `.attached`/`.detached`/`.problem`
    /// events) until the consuming task is cancelled.
    public func rawInput(clock: any WallClock = SystemWallClock(), logger: Logger) -> AsyncStream<DeviceOutput> {
        let entry = self.entry
        return AsyncStream { continuation in
            let task = Task {
                let output: DeviceOutputHandler = { continuation.yield($0) }
                switch entry.kind {
                case .evdev:
                    var reader = EvdevReader(node: entry.identity.node ?? "", profile: .rawInputOnly(.evdev), identity: entry.identity,
                                             clock: clock, logger: logger)
                    reader.rawOnly = true
                    await reader.run(output: output)
                case .hidraw:
                    var reader = HidrawReader(node: entry.identity.node ?? "", profile: .rawInputOnly(.hidraw), identity: entry.identity,
                                              clock: clock, logger: logger)
                    reader.rawOnly = true
                    await reader.run(output: output)
                case .tty:
                    // Raw bytes at 9600 8N1 (the common setting); nothing decoded.
                    var reader = SerialReader(node: entry.identity.node ?? "", profile: .rawSerialInputOnly, identity: entry.identity,
                                              addresses: [], clock: clock, logger: logger)
                    reader?.watchRaw = true
                    await reader?.run(output: output)
                case .usb, .simulated:
                    let backend = LibUSBBackend(catalog: ProfileCatalog([]), clock: clock, logger: logger, learn: .port(entry.identity.portPath ?? "?"))
                    await backend.run { item in
                        if Self.concerns(item, entry.identity) { output(item) }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// libusb in learn mode opens every unprofiled HID device: keep this one's output.
    static func concerns(_ output: DeviceOutput, _ identity: DeviceIdentity) -> Bool {
        let device: DeviceIdentity = switch output {
        case .raw(let device, _): device
        case .event(let event): event.device
        }
        return device.vidPid == identity.vidPid && device.deviceId == identity.deviceId
    }
}

extension DeviceInventory {
    /// `DEVICE` is a deviceId (`BM-7`, `usb-1-5`), a node (`/dev/hidraw0`) or a
    /// VID:PID (`1209:e7a3`) of an attached device.
    public func learnTarget(_ device: String, among nodes: [UdevNode]? = nil) -> Result<LearnTarget, LearnError> {
        let present = (nodes.map(scan) ?? scan()).filter { $0.online && $0.kind != .simulated }
        let named = present.filter { $0.identity.node == device }
        let candidates = named.isEmpty
            ? present.filter { $0.identity.deviceId == device || $0.identity.vidPid == device.lowercased() }
            : named
        guard let first = candidates.first else {
            return .failure(LearnError("no attached device \(device): `evalctl devices` lists deviceIds, nodes and VID:PIDs"))
        }
        // Scanned in listing order: evdev, then hidraw, then USB.
        if Set(candidates.map(\.identity.deviceId)).count > 1 {
            return .failure(LearnError("\(device) names several devices (\(Set(candidates.map(\.identity.deviceId)).sorted().joined(separator: ", "))): give a deviceId or node"))
        }
        return .success(LearnTarget(entry: first))
    }
}
