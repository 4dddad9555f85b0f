@testable import EvalDevices
import Foundation
import Testing

/// A hand-built sysfs tree (directories, attribute files, class symlinks) in a
/// temp dir: the inventory code reads it through the `Sysfs` root parameter.
@Suite struct InventoryTests {
    struct FakeSysfs {
        let dir: TemporaryDirectoryForDevices
        var root: String { dir.url.path }

        func write(_ relative: String, _ value: String) throws {
            let url = dir.url.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (value + "\n").write(to: url, atomically: true, encoding: .utf8)
        }

        func link(_ relative: String, to target: String) throws {
            let url = dir.url.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: dir.url.appendingPathComponent(target).path)
        }

        /// A USB keyboard-style device at `port` with an input node `event`.
        func addKeyboard(port: String, event: String, vendor: String, product: String, serial: String?, name: String) throws {
            let usb = "devices/pci0000:00/0000:00:14.0/usb1/\(port)"
            try write("\(usb)/idVendor", vendor)
            try write("\(usb)/idProduct", product)
            try write("\(usb)/product", name)
            try write("\(usb)/busnum", "1")
            try write("\(usb)/devnum", "7")
            if let serial { try write("\(usb)/serial", serial) }
            try write("\(usb)/\(port):1.0/bInterfaceClass", "03")
            let input = "\(usb)/\(port):1.0/0003:\(vendor.uppercased()):\(product.uppercased()).0001/input/input\(event.dropFirst(5))"
            try write("\(input)/name", name)
            try write("\(input)/uniq", "")
            try write("\(input)/id/vendor", vendor)
            try write("\(input)/id/product", product)
            try write("\(input)/\(event)/dev", "13:70")
            try link("\(input)/\(event)/device", to: input)
            try link("class/input/\(event)", to: "\(input)/\(event)")
            try link("bus/usb/devices/\(port)", to: usb)
        }
    }

    @Test func listsUSBInputDevicesWithProfileBindingAndOfflineBindings() throws {
        let fake = FakeSysfs(dir: try TemporaryDirectoryForDevices())
        defer { fake.dir.remove() }
        try fake.addKeyboard(port: "1-2", event: "event11", vendor: "0c2e", product: "0b61", serial: "SCN0001", name: "Honeywell 1900")
        try fake.addKeyboard(port: "1-4.2", event: "event12", vendor: "1209", product: "e7a2", serial: nil, name: "F-Keys")
        // A built-in keyboard not on USB (no usb ancestor): never listed.
        try fake.write("devices/platform/i8042/serio0/input/input3/id/vendor", "0001")
        try fake.write("devices/platform/i8042/serio0/input/input3/id/product", "0001")
        try fake.link("devices/platform/i8042/serio0/input/input3/event3/device", to: "devices/platform/i8042/serio0/input/input3")
        try fake.link("class/input/event3", to: "devices/platform/i8042/serio0/input/input3/event3")

        let inventory = DeviceInventory(
            sysfs: Sysfs(root: fake.root), catalog: .builtIn,
            bindings: [DeviceBinding(deviceId: "SCN0001", windowCode: "W01"),
                       DeviceBinding(deviceId: "usb-1-4.2", windowCode: "W02", profile: "keypad-function"),
                       DeviceBinding(deviceId: "GONE-7", windowCode: "W03")])
        let entries = inventory.scan()
        let evdev = entries.filter { $0.kind == .evdev }
        #expect(evdev.map(\.identity.deviceId) == ["SCN0001", "usb-1-4.2"])
        #expect(evdev[0].identity.vidPid == "0c2e:0b61")
        #expect(evdev[0].identity.portPath == "1-2")
        #expect(evdev[0].interface == 0)
        #expect(evdev[0].profile == "scanner-honeywell")
        #expect(evdev[0].binding?.windowCode == "W01")
        #expect(evdev[1].profile == "keypad-function", "a binding may name a template profile")
        #expect(evdev[1].identity.node == "/dev/input/event12")

        let usb = entries.filter { $0.kind == .usb && $0.online }
        #expect(Set(usb.map(\.identity.deviceId)) == ["SCN0001", "usb-1-4.2"])

        let offline = entries.filter { !$0.online }
        #expect(offline.map(\.identity.deviceId) == ["GONE-7"])
        #expect(offline.first?.description.hasPrefix("offline") == true)

        let readable = inventory.readable()
        #expect(readable.map(\.node) == ["/dev/input/event11", "/dev/input/event12"])
    }

    @Test func usbPathNames() {
        #expect(Sysfs.isUSBDevice("1-1"))
        #expect(Sysfs.isUSBDevice("3-2.4.1"))
        #expect(!Sysfs.isUSBDevice("usb1"))
        #expect(!Sysfs.isUSBDevice("1-1:1.0"))
        #expect(Sysfs.isUSBInterface("1-1.4:1.0"))
        #expect(!Sysfs.isUSBInterface("0003:0C2E:0B61.0003"))
    }
}
