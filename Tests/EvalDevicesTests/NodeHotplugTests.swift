import Foundation
import Testing

/// Plug, read, unplug, replug evdev and hidraw nodes through a libumockdev
/// testbed: the hub attaches on the `add` uevent (udev monitor, no rescan),
/// reads the first press, and reports `.detached` on `remove` — twice.
/// The harness prints each uevent's latency on stderr; it is not asserted.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
               && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-hotplug-check"))))
struct NodeHotplugTests {
    struct Case: Sendable, CustomStringConvertible {
        var format: String
        var device: String
        var devnode: String
        var events: String
        var deviceId: String
        /// The script replays on across the replug: cycle 2 reads the next press.
        var presses: [Int]
        var description: String { device }
    }

    static let cases = [
        Case(format: "evemu", device: "keypad-keys", devnode: "/dev/input/event12", events: "keypad-keys.events", deviceId: "usb-1-4", presses: [5, 2]),
        Case(format: "script", device: "hidraw-keypad", devnode: "/dev/hidraw0", events: "hidraw-keypad.script", deviceId: "BM-7", presses: [5, 1]),
    ]

    @Test(arguments: cases)
    func attachAndDetachOnUevents(_ item: Case) throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try ChildProcess.run("/usr/bin/umockdev-wrapper", [
            TestPaths.product("evald-hotplug-check"), "nodes", item.format, "\(fixture)/\(item.device).umockdev", item.devnode,
            "\(fixture)/\(item.events)", TestPaths.fixture("profiles"),
        ], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == (1...2).flatMap { cycle in
            ["cycle \(cycle) attached \(item.deviceId)", "cycle \(cycle) press \(item.presses[cycle - 1])", "cycle \(cycle) detached \(item.deviceId)"]
        }, "\(result.stderr)")
    }
}
