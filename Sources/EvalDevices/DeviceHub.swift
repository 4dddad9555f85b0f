import EvalCore
import Foundation
import Logging

/// Runs every device backend the configuration calls for and merges their
/// events into one stream: evdev and hidraw nodes found in sysfs (rescanned,
/// so a replugged keyboard-style device is picked up again), the libusb
/// backend (hotplug, or rescan where unavailable), and simulated keypads.
/// Binding to windows is left to the caller (`BindingMatcher`), which sees
/// every event, unbound ones included.
public struct DeviceHub: Sendable {
    public struct Configuration: Sendable {
        public var catalog: ProfileCatalog
        public var bindings: [DeviceBinding]
        public var sysfs: Sysfs
        /// Simulated keypads: a FIFO (or `-` for stdin) and the deviceId to report.
        public var simulatedKeypads: [SimulatedKeypadSource]
        /// How often sysfs is rescanned for evdev/hidraw nodes.
        public var rescanInterval: Duration
        public var useLibUSB: Bool

        public init(catalog: ProfileCatalog = .builtIn, bindings: [DeviceBinding] = [], sysfs: Sysfs = Sysfs(),
                    simulatedKeypads: [SimulatedKeypadSource] = [], rescanInterval: Duration = .seconds(1), useLibUSB: Bool = true) {
            self.catalog = catalog
            self.bindings = bindings
            self.sysfs = sysfs
            self.simulatedKeypads = simulatedKeypads
            self.rescanInterval = rescanInterval
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

    public func run(output: @escaping DeviceOutputHandler) async {
        let configuration = self.configuration
        let clock = self.clock
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for source in configuration.simulatedKeypads {
                group.addTask {
                    await SimulatedKeypad(path: source.path, deviceId: source.deviceId, clock: clock, logger: logger).run(output: output)
                }
            }
            if configuration.useLibUSB, configuration.catalog.profiles.contains(where: { $0.backend == .libusb }) {
                let backend = LibUSBBackend(catalog: configuration.catalog, sysfs: configuration.sysfs, clock: clock, logger: logger)
                group.addTask { await backend.run(output: output) }
            }
            group.addTask { await watchNodes(output: output) }
            await group.waitForAll()
        }
    }

    /// Starts a reader per matching evdev/hidraw node; a reader that ends (device
    /// gone) frees its node, so the next rescan picks a replugged device up again.
    private func watchNodes(output: @escaping DeviceOutputHandler) async {
        let inventory = DeviceInventory(sysfs: configuration.sysfs, catalog: configuration.catalog, bindings: configuration.bindings)
        let active = ActiveNodes()
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                for item in inventory.readable() where active.claim(item.node, now: monotonicSeconds()) {
                    let node = item.node
                    let profile = item.profile
                    let (sysfs, clock, logger) = (configuration.sysfs, self.clock, self.logger)
                    group.addTask {
                        let started = monotonicSeconds()
                        switch item.kind {
                        case .evdev: await EvdevReader(node: node, profile: profile, sysfs: sysfs, clock: clock, logger: logger).run(output: output)
                        case .hidraw: await HidrawReader(node: node, profile: profile, sysfs: sysfs, clock: clock, logger: logger).run(output: output)
                        case .usb: break
                        }
                        // A reader that ends at once (EACCES, grab refused) is not retried
                        // every second: the node cools down, so the problem is not repeated.
                        let ended = monotonicSeconds()
                        active.release(node, coolDownUntil: ended - started < 2 ? ended + 30 : nil)
                    }
                }
                try? await Task.sleep(for: configuration.rescanInterval)
            }
            group.cancelAll()
        }
    }
}

/// Nodes with a reader running, and nodes cooling down after a reader failed
/// at once; shared between the rescan loop and readers.
final class ActiveNodes: @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: Set<String> = []
    private var coolingUntil: [String: Double] = [:]

    func claim(_ node: String, now: Double) -> Bool {
        lock.withLock {
            if let until = coolingUntil[node], now < until { return false }
            coolingUntil[node] = nil
            return nodes.insert(node).inserted
        }
    }

    func release(_ node: String, coolDownUntil: Double?) {
        lock.withLock {
            nodes.remove(node)
            if let coolDownUntil { coolingUntil[node] = coolDownUntil }
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
