import CUmockdev
import EvalCore
import EvalDevices
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A libusb keypad whose node the service user may not open, then a `change`
/// uevent after its permissions are fixed (what installing the udev rules and
/// `udevadm trigger` do): the device hub retries it at once. Run as a user
/// that the node's mode shuts out (the test runs it as `nobody`). Prints the
/// problem, the attach after the change and a press; the change→attach
/// latency goes to stderr (measured, not asserted).
///
///   evald-hotplug-check change <keypad.umockdev> <keypad.ioctl> <profiles dir>
enum ChangeRetryCheck {
    static let devnode = "/dev/bus/usb/001/005"

    static func run(_ arguments: [String]) async {
        guard arguments.count == 3 else { HotplugCheck.fail("usage: evald-hotplug-check change <umockdev> <ioctl> <profiles>") }
        guard let testbed = evald_testbed_new() else { HotplugCheck.fail("no testbed (run under umockdev-wrapper)") }
        HotplugCheck.check(evald_testbed_add_from_file(testbed, arguments[0]))
        HotplugCheck.check(evald_testbed_load_ioctl(testbed, devnode, arguments[1]))
        // The testbed's root holds the emulated /dev; its node is a real file whose mode counts.
        guard let root = getenv("UMOCKDEV_DIR").map({ String(cString: $0) }) else { HotplugCheck.fail("UMOCKDEV_DIR is not set") }
        let node = root + devnode
        guard chmod(node, 0) == 0 else { HotplugCheck.fail("chmod \(node): \(String(cString: strerror(errno)))") }

        var logger = Logger(label: "evald.hotplug-check") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let hub = DeviceHub(configuration: .init(catalog: ProfileCatalog.load(directory: arguments[2]).catalog), logger: logger)
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let (listening, heard) = AsyncStream<Void>.makeStream()
        let reader = Task {
            await hub.run(listening: { heard.yield(); heard.finish() }) { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            FileHandle.standardError.write(Data("watchdog: gave up after 20 s\n".utf8))
            continuation.finish()
            heard.finish()
        }
        var events = stream.makeAsyncIterator()
        evald_testbed_uevent(testbed, HotplugCheck.syspath, "add")
        guard case .problem(let device, _, let hint)? = await events.next() else { HotplugCheck.fail("no problem for the shut-out node") }
        print("problem \(device.deviceId) hint: \(hint ?? "none")")
        // libusb reports the problem from its own enumeration, which may come
        // before the hub's udev monitor listens: a change sent earlier is unseen.
        var listened = listening.makeAsyncIterator()
        guard await listened.next() != nil else { HotplugCheck.fail("the device hub's udev monitor never listened") }
        guard chmod(node, 0o666) == 0 else { HotplugCheck.fail("chmod \(node): \(String(cString: strerror(errno)))") }
        let changed = ContinuousClock.now
        evald_testbed_uevent(testbed, HotplugCheck.syspath, "change")
        guard case .attached(let attached)? = await events.next() else { HotplugCheck.fail("no attach after the change uevent") }
        NodeHotplugCheck.report("change→attach", since: changed)
        print("attached \(attached.deviceId) after change")
        while let event = await events.next() {
            guard case .press(_, let rating, _) = event else { continue }
            print("press \(rating.rawValue)")
            break
        }
        watchdog.cancel()
        reader.cancel()
        await reader.value
    }
}
