import CUmockdev
import EvalCore
import EvalDevices
import Foundation
import Logging

/// Test-only harness, run under `umockdev-wrapper`: builds a libumockdev testbed
/// in-process, starts the real libusb backend, then plugs, unplugs and replugs
/// the emulated vendor keypad with uevents. Prints, per plug cycle, the attach,
/// the first decoded press and the detach, and whether each arrival was opened
/// within a second.
///
///   evald-hotplug-check <keypad.umockdev> <keypad.ioctl> <profiles dir> [--rescan]
///   evald-hotplug-check nodes evemu|script <device.umockdev> <devnode> <events> <profiles dir>
///   evald-hotplug-check change <keypad.umockdev> <keypad.ioctl> <profiles dir>
///
/// The `nodes` form does the same for an evdev or hidraw node through the
/// device hub (udev monitor): see NodeHotplugCheck.
@main
struct HotplugCheck {
    static let syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3"

    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count >= 2, arguments[1] == "nodes" {
            await NodeHotplugCheck.run(Array(arguments.dropFirst(2)))
            return
        }
        if arguments.count >= 2, arguments[1] == "change" {
            await ChangeRetryCheck.run(Array(arguments.dropFirst(2)))
            return
        }
        guard arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: evald-hotplug-check <umockdev> <ioctl> <profiles> [--rescan]\n".utf8))
            exit(64)
        }
        let rescan = arguments.contains("--rescan")
        // The testbed must exist before libusb_init (it redirects /sys and udev).
        guard let testbed = evald_testbed_new() else { fail("no testbed (run under umockdev-wrapper)") }

        var logger = Logger(label: "evald.hotplug-check") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .info
        let catalog = ProfileCatalog.load(directory: arguments[3]).catalog
        let backend = LibUSBBackend(catalog: catalog, logger: logger, rescanInterval: 0.25, disableHotplug: rescan)
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let reader = Task {
            await backend.run { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            FileHandle.standardError.write(Data("watchdog: gave up after 20 s\n".utf8))
            continuation.finish()
        }
        var events = stream.makeAsyncIterator()

        check(evald_testbed_add_from_file(testbed, arguments[1]))
        check(evald_testbed_load_ioctl(testbed, "/dev/bus/usb/001/005", arguments[2]))

        for cycle in 1...2 {
            let plugged = ContinuousClock.now
            evald_testbed_uevent(testbed, syspath, "add")
            guard case .attached(let device)? = await next(&events, skippingPresses: true) else { fail("cycle \(cycle): no attach") }
            let delay = ContinuousClock.now - plugged
            print("cycle \(cycle) attached \(device.deviceId) within 1s: \(delay < .seconds(1) ? "yes" : "no (\(delay))")")
            guard case .press(_, let rating, _)? = await next(&events, skippingPresses: false) else { fail("cycle \(cycle): no press") }
            print("cycle \(cycle) press \(rating.rawValue)")
            evald_testbed_uevent(testbed, syspath, "remove")
            guard case .detached(let gone)? = await next(&events, skippingPresses: true) else { fail("cycle \(cycle): no detach") }
            print("cycle \(cycle) detached \(gone.deviceId)")
        }
        watchdog.cancel()
        reader.cancel()
        await reader.value
    }

    /// The next attach/detach/problem (presses skipped while the emulated
    /// keypad keeps replaying its script), or the next press.
    static func next(_ events: inout AsyncStream<DeviceEvent>.AsyncIterator, skippingPresses: Bool) async -> DeviceEvent? {
        while let event = await events.next() {
            switch event {
            case .press where skippingPresses, .problem: continue
            default: return event
            }
        }
        return nil
    }

    static func check(_ error: UnsafeMutablePointer<CChar>?) {
        guard let error else { return }
        let message = String(cString: error)
        evald_free(error)
        fail(message)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("evald-hotplug-check: \(message)\n".utf8))
        exit(1)
    }
}
