import EvalCore
import Foundation
import Logging

/// Reads every evdev and hidraw node a profile matches, as udev reports them:
/// the nodes present at start, then one uevent at a time. `add`, `bind` and
/// `change` start a reader for a node that has none (so a node whose
/// permissions were just fixed by the udev rules is retried at once);
/// `remove` stops its reader and reports `.detached`. Nothing is rescanned.
struct NodeWatcher: Sendable {
    let inventory: DeviceInventory
    /// Also read, raw only, the HID nodes no profile matches (learn mode).
    var learn = false
    let clock: any WallClock
    let logger: Logger
    /// A `change` uevent on a USB device, by port path: the libusb backend
    /// retries it (the one udev monitor serves both paths).
    var usbChanged: (@Sendable (String) -> Void)?
    /// Readers offer their devices' prompt outputs here.
    var prompts: PromptPorts?
    /// Serial lines count their frames here.
    var serialCounters: SerialLineCounters?
    /// Called once the udev monitor listens: every uevent from then on is
    /// seen (never called when libudev cannot be set up).
    var listening: (@Sendable () -> Void)?

    private enum Input: Sendable {
        case present([UdevNode])
        case change(UdevChange)
        case ended(syspath: String, generation: Int, ReaderEnd)
    }

    private struct Running {
        var generation: Int
        var task: Task<Void, Never>
        /// A remove uevent stopped it: the `.detached` is owed by the watcher.
        var removed = false
    }

    func run(output: @escaping DeviceOutputHandler) async {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        let monitor = Task { [logger, listening] in
            await UdevMonitor(logger: logger).run(initial: { continuation.yield(.present($0)); listening?() },
                                                  change: { continuation.yield(.change($0)) })
        }
        // Touched only by this task: readers report back through `inputs`.
        var running: [String: Running] = [:]
        var generation = 0

        func start(_ node: UdevNode) {
            guard running[node.syspath] == nil, let item = inventory.readable(node) ?? (learn ? inventory.learnable(node) : nil) else { return }
            generation += 1
            let (current, syspath, clock, logger, prompts) = (generation, node.syspath, self.clock, self.logger, self.prompts)
            let (counters, bindings) = (serialCounters, inventory.bindings.bindings.values)
            let task = Task {
                let end = await Self.read(item, clock: clock, logger: logger, prompts: prompts, counters: counters,
                                          bindings: Array(bindings), output: output)
                continuation.yield(.ended(syspath: syspath, generation: current, end))
            }
            running[node.syspath] = Running(generation: current, task: task)
        }

        for await input in inputs {
            switch input {
            case .present(let nodes):
                nodes.forEach(start)
            case .change(let change):
                switch change.action {
                case .add, .bind, .change, .online, .move:
                    if change.action == .change, change.node.kind == .usb, let port = change.node.identity?.portPath {
                        usbChanged?(port)
                    }
                    start(change.node)
                case .remove:
                    guard var reader = running[change.node.syspath], !reader.removed else { continue }
                    reader.removed = true
                    running[change.node.syspath] = reader
                    reader.task.cancel()
                case .unbind, .offline:
                    continue
                }
            case .ended(let syspath, let ended, let end):
                guard let reader = running[syspath], reader.generation == ended else { continue }
                running[syspath] = nil
                if reader.removed, case .stopped(let identity) = end {
                    logger.warning("input device removed", metadata: ["device": "\(identity)"])
                    output(.event(.detached(identity)))
                }
            }
        }
        // Cancelled: stop the monitor and every reader, and wait for them.
        monitor.cancel()
        for reader in running.values { reader.task.cancel() }
        await monitor.value
        for reader in running.values { await reader.task.value }
    }

    private static func read(_ item: DeviceInventory.Readable, clock: any WallClock, logger: Logger, prompts: PromptPorts?,
                             counters: SerialLineCounters?, bindings: [DeviceBinding],
                             output: @escaping DeviceOutputHandler) async -> ReaderEnd {
        switch item.kind {
        case .evdev:
            var reader = EvdevReader(node: item.node, profile: item.profile, identity: item.identity, clock: clock, logger: logger)
            reader.rawOnly = item.rawOnly
            reader.prompts = prompts
            return await reader.run(output: output)
        case .hidraw:
            var reader = HidrawReader(node: item.node, profile: item.profile, identity: item.identity, clock: clock, logger: logger)
            reader.rawOnly = item.rawOnly
            reader.prompts = prompts
            return await reader.run(output: output)
        case .tty:
            guard var reader = SerialReader(node: item.node, profile: item.profile, identity: item.identity,
                                            addresses: SerialReader.addresses(of: item.identity.lineId, in: bindings),
                                            clock: clock, logger: logger) else { return .failed }
            reader.prompts = prompts
            reader.counters = counters
            reader.watchRaw = item.rawOnly
            // It reports its addresses' `.detached` itself (one per keypad on the line).
            return await reader.run(output: output)
        case .usb, .simulated:
            return .failed
        }
    }
}
