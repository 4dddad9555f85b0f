@testable import EvalDevices
import Foundation
import Testing

/// The inventory's rules over nodes as udev describes them (the umockdev
/// tests run the same code on emulated udev): USB only, HID only, profile per
/// backend, bindings and offline bindings, listing order.
@Suite struct InventoryTests {
    static func node(_ kind: UdevNode.Kind, _ devnode: String, port: String?, vendor: UInt16, product: UInt16,
                     serial: String? = nil, name: String, interface: Int? = 0, hid: Bool = false) -> UdevNode {
        let identity = DeviceIdentity(vendorId: vendor, productId: product, serial: serial, portPath: port, name: name, node: devnode)
        return UdevNode(kind: kind, syspath: "/sys/devices/\(port ?? "platform")/\(devnode)", devnode: devnode,
                        identity: port == nil ? nil : identity, interface: interface, hasHIDInterface: hid)
    }

    @Test func listsUSBInputDevicesWithProfileBindingAndOfflineBindings() throws {
        let nodes = [
            Self.node(.usb, "/dev/bus/usb/001/007", port: "1-4.2", vendor: 0x1209, product: 0xe7a2, name: "F-Keys", interface: nil, hid: true),
            Self.node(.evdev, "/dev/input/event12", port: "1-4.2", vendor: 0x1209, product: 0xe7a2, name: "F-Keys"),
            Self.node(.evdev, "/dev/input/event11", port: "1-2", vendor: 0x0c2e, product: 0x0b61, serial: "SCN0001", name: "Honeywell 1900"),
            Self.node(.usb, "/dev/bus/usb/001/006", port: "1-2", vendor: 0x0c2e, product: 0x0b61, serial: "SCN0001", name: "1900", interface: nil, hid: true),
            // A built-in keyboard not on USB: never listed.
            Self.node(.evdev, "/dev/input/event3", port: nil, vendor: 1, product: 1, name: "AT keyboard"),
            // A USB hub: no HID interface, never listed.
            Self.node(.usb, "/dev/bus/usb/001/002", port: "1-1", vendor: 0x05e3, product: 0x0608, name: "hub", interface: nil),
        ]
        let inventory = DeviceInventory(
            catalog: .builtIn,
            bindings: [DeviceBinding(deviceId: "SCN0001", windowCode: "W01"),
                       DeviceBinding(deviceId: "usb-1-4.2", windowCode: "W02", profile: "keypad-function"),
                       DeviceBinding(deviceId: "GONE-7", windowCode: "W03")])
        let entries = inventory.scan(nodes)
        #expect(entries.map { "\($0.kind) \($0.identity.deviceId)" } == [
            "evdev SCN0001", "evdev usb-1-4.2", "usb SCN0001", "usb usb-1-4.2", "usb GONE-7",
        ])
        let evdev = entries.filter { $0.kind == .evdev }
        #expect(evdev[0].identity.vidPid == "0c2e:0b61")
        #expect(evdev[0].interface == 0)
        #expect(evdev[0].profile == "scanner-honeywell")
        #expect(evdev[0].binding?.windowCode == "W01")
        #expect(evdev[1].profile == "keypad-function", "a binding may name a template profile")

        let offline = entries.filter { !$0.online }
        #expect(offline.map(\.identity.deviceId) == ["GONE-7"])
        #expect(offline.first?.description.hasPrefix("offline") == true)

        #expect(nodes.compactMap(inventory.readable).map(\.node) == ["/dev/input/event12", "/dev/input/event11"])
    }

    @Test func usbPathNames() {
        #expect(USBNames.isUSBDevice("1-1"))
        #expect(USBNames.isUSBDevice("3-2.4.1"))
        #expect(!USBNames.isUSBDevice("usb1"))
        #expect(!USBNames.isUSBDevice("1-1:1.0"))
        #expect(USBNames.isUSBInterface("1-1.4:1.0"))
        #expect(!USBNames.isUSBInterface("0003:0C2E:0B61.0003"))
    }

    /// The keypad recording without interface children: its HID interface is
    /// found in the raw descriptors (and in udev's ID_USB_INTERFACES).
    @Test func hidInterfaceFromDescriptorsAndUdevProperty() {
        let descriptors = Hex.parseBytes("12010002000000080912A1E7000101020301090222000101008032090400000103000000092111010001221C000705810308000A")!
        #expect(USBDescriptors.interfaceClasses(descriptors) == [3])
        let hub = Hex.parseBytes("1201100109000008F305810020030102000109021900010100A019090400000109000000070581030100FF")!
        #expect(USBDescriptors.interfaceClasses(hub) == [9])
        #expect(USBDescriptors.interfaceClasses(udevProperty: ":030101:030000:") == [3, 3])
        #expect(USBDescriptors.interfaceClasses([0x12, 0x01]) == [], "truncated: nothing, no crash")
        #expect(USBDescriptors.interfaceClasses([0x00, 0x04, 0x00]) == [], "zero length: stops")
    }
}
