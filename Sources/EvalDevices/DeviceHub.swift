import EvalCore
import Foundation
import Logging

/// Runs every device backend the configuration calls for and merges their
/// events into one stream: evdev and hidraw nodes as udev reports them
/// (enumerated, then followed by uevents: a replugged keyboard-style device is
/// picked up again at once), the libusb backend (hotplug, or rescan where
/// libusb has none), and simulated keypads.
/// Binding to windows is left to the caller (`BindingMatcher`), which sees
/// every event, unbound ones included.
public struct DeviceHub: Sendable {
    public struct Configuration: Sendable {
        public var catalog: ProfileCatalog
        public var bindings: [DeviceBinding]
        /// Simulated keypads: a FIFO (or `-` for stdin) and the deviceId to report.
        public var simulatedKeypads: [SimulatedKeypadSource]
        public var useLibUSB: Bool
        /// Learn mode (`evalctl devices watch`): also read the evdev and hidraw
        /// nodes of USB HID devices no profile matches, raw input only, no grab,
        /// and through libusb such devices that no kernel driver holds.
        public var learn: Bool
        /// Where readers offer their devices' prompt outputs (the daemon's
        /// prompter sends through it); nil: no device is opened for writing.
        public var prompts: PromptPorts?
        /// Serial ports named in the configuration (built-in UARTs, links, ptys).
        public var serialPorts: [SerialPortSource] = []
        /// Every serial line's frame counts (shared with `/metrics`).
        public var serialCounters = SerialLineCounters()

        public init(catalog: ProfileCatalog = .builtIn, bindings: [DeviceBinding] = [],
                    simulatedKeypads: [SimulatedKeypadSource] = [], useLibUSB: Bool = true, learn: Bool = false,
                    prompts: PromptPorts? = nil) {
            self.learn = learn
            self.prompts = prompts
            self.catalog = catalog
            self.bindings = bindings
            self.simulatedKeypads = simulatedKeypads
            self.useLibUSB = useLibUSB
        }
    }

    public let configuration: Configuration
    public let clock: any WallClock
    public let logger: Logger

    public init(configuration: Configuration, clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Decoded events from all devices until the consuming task is cancelled.
    public func events() -> AsyncStream<DeviceEvent> {
        AsyncStream { continuation in
            let task = Task {
                await run { output in
                    if case .event(let event) = output { continuation.yield(event) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Decoded events plus raw input, for learn mode (`evalctl devices watch`).
    public func watch() -> AsyncStream<DeviceOutput> {
        AsyncStream { continuation in
            let task = Task {
                await run { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs every backend until cancelled. `listening` is called once uevents
    /// are followed (the udev monitor listens; at once when no backend needs
    /// one): a `change` sent before then may go unseen, as on any system
    /// where udev events race the daemon's start.
    public func run(listening: (@Sendable () -> Void)? = nil, output: @escaping DeviceOutputHandler) async {
        let configuration = self.configuration
        let clock = self.clock
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for source in configuration.simulatedKeypads {
                group.addTask {
                    var keypad = SimulatedKeypad(path: source.path, deviceId: source.deviceId, clock: clock, logger: logger)
                    keypad.prompts = configuration.prompts
                    await keypad.run(output: output)
                }
            }
            for port in configuration.serialPorts {
                group.addTask {
                    await port.run(catalog: configuration.catalog, bindings: configuration.bindings, clock: clock, logger: logger,
                                   prompts: configuration.prompts, counters: configuration.serialCounters, output: output)
                }
            }
            var libusb: LibUSBBackend?
            if configuration.useLibUSB, configuration.learn || configuration.catalog.profiles.contains(where: { $0.backend == .libusb }) {
                let backend = LibUSBBackend(catalog: configuration.catalog, clock: clock, logger: logger,
                                            learn: configuration.learn ? .devicesWithoutDriver : .off, prompts: configuration.prompts)
                group.addTask { await backend.run(output: output) }
                libusb = backend
            }
            // The node watcher's udev monitor also tells the libusb backend of `change` uevents.
            if libusb != nil || configuration.learn || configuration.catalog.profiles.contains(where: { $0.backend == .evdev || $0.backend == .hidraw || ($0.backend == .serial && $0.match.vendorId != nil) }) {
                var watcher = NodeWatcher(inventory: DeviceInventory(catalog: configuration.catalog, bindings: configuration.bindings),
                                          learn: configuration.learn, clock: clock, logger: logger)
                if let libusb { watcher.usbChanged = { libusb.retry(portPath: $0) } }
                watcher.prompts = configuration.prompts
                watcher.serialCounters = configuration.serialCounters
                watcher.listening = listening
                group.addTask { [watcher] in await watcher.run(output: output) }
            } else {
                listening?()
            }
            await group.waitForAll()
        }
    }
}

/// Where a simulated keypad reads from and which deviceId it reports (bind it like a real one).
public struct SimulatedKeypadSource: Sendable, Hashable, Codable {
    public var path: String
    public var deviceId: String

    /// `deviceId` defaults to `sim-<file name>` (`sim-stdin` for `-`).
    public init(path: String, deviceId: String? = nil) {
        self.path = path
        self.deviceId = deviceId ?? (path == "-" ? "sim-stdin" : "sim-" + (path as NSString).lastPathComponent)
    }
}
