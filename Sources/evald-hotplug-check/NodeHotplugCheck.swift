import CUmockdev
import EvalCore
import EvalDevices
import Foundation
import Logging

/// Plug, read, unplug, replug one evdev or hidraw node through the device hub
/// (udev enumeration and monitor, the real readers). Per cycle it prints the
/// attach, the first press and the detach on stdout; how long each uevent took
/// to become an attach or a detach goes to stderr (measurements, not asserted).
enum NodeHotplugCheck {
    static func run(_ arguments: [String]) async {
        guard arguments.count == 5, ["evemu", "script"].contains(arguments[0]) else {
            HotplugCheck.fail("usage: evald-hotplug-check nodes evemu|script <device.umockdev> <devnode> <events> <profiles>")
        }
        let (format, description, devnode, events, profiles) = (arguments[0], arguments[1], arguments[2], arguments[3], arguments[4])
        guard let testbed = evald_testbed_new() else { HotplugCheck.fail("no testbed (run under umockdev-wrapper)") }
        guard let text = try? String(contentsOfFile: description, encoding: .utf8) else { HotplugCheck.fail("cannot read \(description)") }
        // The node is the first device a umockdev file lists (deepest first).
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("P: ") }) else { HotplugCheck.fail("no P: line in \(description)") }
        let node = "/sys" + line.dropFirst(3)

        var logger = Logger(label: "evald.hotplug-check") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let catalog = ProfileCatalog.load(directory: profiles).catalog
        let hub = DeviceHub(configuration: .init(catalog: catalog, useLibUSB: false), logger: logger)
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let reader = Task {
            await hub.run { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            FileHandle.standardError.write(Data("watchdog: gave up after 20 s\n".utf8))
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        // umockdev 0.17 cannot re-add a removed device (a leftover bus symlink
        // trips an assertion): a replug is a second `add` uevent on the kept entry.
        // Nor load a second script for a node: the one loaded replays to each
        // new opener.
        HotplugCheck.check(evald_testbed_add_from_file(testbed, description))
        HotplugCheck.check(format == "evemu" ? evald_testbed_load_evemu_events(testbed, devnode, events)
                                             : evald_testbed_load_script(testbed, devnode, events))
        for cycle in 1...2 {
            let plugged = ContinuousClock.now
            evald_testbed_uevent(testbed, node, "add")
            guard case .attached(let device)? = await next(&iterator) else { HotplugCheck.fail("cycle \(cycle): no attach") }
            report("cycle \(cycle) attach", since: plugged)
            print("cycle \(cycle) attached \(device.deviceId)")
            guard case .press(_, let rating, _)? = await next(&iterator, press: true) else { HotplugCheck.fail("cycle \(cycle): no press") }
            print("cycle \(cycle) press \(rating.rawValue)")
            let unplugged = ContinuousClock.now
            evald_testbed_uevent(testbed, node, "remove")
            guard case .detached(let gone)? = await next(&iterator) else { HotplugCheck.fail("cycle \(cycle): no detach") }
            report("cycle \(cycle) detach", since: unplugged)
            print("cycle \(cycle) detached \(gone.deviceId)")
        }
        fflush(nil)
        watchdog.cancel()
        reader.cancel()
        await reader.value
    }

    /// The next attach/detach (or, with `press`, the next press); other events skipped.
    static func next(_ events: inout AsyncStream<DeviceEvent>.AsyncIterator, press: Bool = false) async -> DeviceEvent? {
        while let event = await events.next() {
            switch event {
            case .press where press: return event
            case .attached where !press, .detached where !press: return event
            default: continue
            }
        }
        return nil
    }

    static func report(_ what: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        FileHandle.standardError.write(Data("latency \(what) \(String(format: "%.1f", ms)) ms\n".utf8))
    }
}
