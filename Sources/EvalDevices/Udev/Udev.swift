import CLibUdev
import Foundation

/// A libudev context for one thread: enumeration and lookups. Create it where
/// it is used (a libudev context must not be shared between threads).
final class Udev {
    /// The subsystems evald cares about: keyboard-style devices, vendor-report
    /// devices, and the USB devices both hang off.
    static let subsystems = ["usb", "hidraw", "input", "tty"]

    let handle: OpaquePointer

    init?() {
        guard let handle = udev_new() else { return nil }
        self.handle = handle
    }

    deinit { udev_unref(handle) }

    /// Every evdev, hidraw and USB device node udev knows, in syspath order.
    func enumerate() -> [UdevNode] {
        guard let enumerator = udev_enumerate_new(handle) else { return [] }
        defer { udev_enumerate_unref(enumerator) }
        for subsystem in Self.subsystems { udev_enumerate_add_match_subsystem(enumerator, subsystem) }
        udev_enumerate_scan_devices(enumerator)
        var nodes: [UdevNode] = []
        var entry = udev_enumerate_get_list_entry(enumerator)
        while let current = entry {
            if let path = udev_list_entry_get_name(current),
               let device = udev_device_new_from_syspath(handle, path) {
                if let node = node(of: device) { nodes.append(node) }
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
        return nodes.sorted { USBNames.naturalOrder($0.syspath, $1.syspath) }
    }

    /// The node behind `/dev/input/eventN` or `/dev/hidrawN`, looked up by name.
    func node(devnode: String) -> UdevNode? {
        let name = (devnode as NSString).lastPathComponent
        let subsystem: String
        if devnode.hasPrefix("/dev/input/") { subsystem = "input" } else if devnode.hasPrefix("/dev/hidraw") { subsystem = "hidraw" }
        else if devnode.hasPrefix("/dev/tty") { subsystem = "tty" } else { return nil }
        guard let device = udev_device_new_from_subsystem_sysname(handle, subsystem, name) else { return nil }
        defer { udev_device_unref(device) }
        return node(of: device)
    }

    /// The USB device at a port path (`1-3`), for the libusb backend.
    func usbDevice(portPath: String) -> UdevNode? {
        guard let device = udev_device_new_from_subsystem_sysname(handle, "usb", portPath) else { return nil }
        defer { udev_device_unref(device) }
        return node(of: device)
    }

    /// A snapshot of `device` if it is an evdev event node, a hidraw node or a
    /// USB device (not interface); nil for everything else.
    func node(of device: OpaquePointer) -> UdevNode? {
        guard let subsystem = udevString(udev_device_get_subsystem(device)),
              let syspath = udevString(udev_device_get_syspath(device)),
              let sysname = udevString(udev_device_get_sysname(device)) else { return nil }
        let kind: UdevNode.Kind
        switch subsystem {
        case "input" where sysname.hasPrefix("event"): kind = .evdev
        case "hidraw": kind = .hidraw
        case "tty": kind = .tty
        case "usb" where udevString(udev_device_get_devtype(device)) == "usb_device": kind = .usb
        default: return nil
        }
        // get_parent_with_subsystem_devtype starts at the parent; parents are
        // owned by the child and must not be unreferenced.
        let usb = kind == .usb ? device : udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        let usbInterface = kind == .usb ? nil : udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_interface")
        let devnode = udevString(udev_device_get_devnode(device)) ?? fallbackDevnode(kind, sysname: sysname, device: device)
        var result = UdevNode(kind: kind, syspath: syspath, devnode: devnode, identity: nil)
        result.interface = usbInterface.flatMap(interfaceNumber) ?? udevProperty(device, "ID_USB_INTERFACE_NUM").flatMap { Int($0, radix: 16) }
        if kind == .usb { result.hasHIDInterface = hasHIDInterface(device) }
        result.identity = identity(kind, device: device, usb: usb, devnode: devnode)
        if kind == .tty {
            // A built-in UART is named by its port: `tty-ttyS1` (listed only when configured).
            result.identity?.ttyName = sysname
            if result.identity == nil { result.identity = DeviceIdentity(vendorId: 0, productId: 0, name: "serial port \(sysname)", node: devnode, ttyName: sysname) }
        }
        return result
    }

    private func identity(_ kind: UdevNode.Kind, device: OpaquePointer, usb: OpaquePointer?, devnode: String?) -> DeviceIdentity? {
        // Not on USB: never ours (a uevent for a removed node may have lost its
        // parents; it still carries the properties udev gave it).
        let portPath = usb.flatMap { udevString(udev_device_get_sysname($0)) }.flatMap { USBNames.isUSBDevice($0) ? $0 : nil }
        guard portPath != nil || udevProperty(device, "ID_BUS") == "usb" else { return nil }
        guard let vendorId = (usb.flatMap { udevSysattr($0, "idVendor") } ?? udevProperty(device, "ID_VENDOR_ID") ?? usb.flatMap { udevProperty($0, "ID_VENDOR_ID") })
                .flatMap(Hex.parseWord),
              let productId = (usb.flatMap { udevSysattr($0, "idProduct") } ?? udevProperty(device, "ID_MODEL_ID") ?? usb.flatMap { udevProperty($0, "ID_MODEL_ID") })
                .flatMap(Hex.parseWord) else { return nil }
        let input = kind == .evdev ? udev_device_get_parent(device) : nil
        // The input device's `uniq` is the USB serial for USB HID; either may be missing.
        let serial = input.flatMap { udevSysattr($0, "uniq") } ?? usb.flatMap { udevSysattr($0, "serial") }
            ?? udevProperty(device, "ID_SERIAL_SHORT") ?? usb.flatMap { udevProperty($0, "ID_SERIAL_SHORT") }
        let usbName = usb.flatMap { udevSysattr($0, "product") }
        let name = kind == .evdev
            ? input.flatMap { udevSysattr($0, "name") ?? udevProperty($0, "NAME").map(unquoted) } ?? usbName
            : usbName ?? udevProperty(device, "HID_NAME") ?? udev_device_get_parent(device).flatMap { udevProperty($0, "HID_NAME") }
        return DeviceIdentity(vendorId: vendorId, productId: productId, serial: serial, portPath: portPath,
                              name: name ?? "USB device \(Hex.word(vendorId)):\(Hex.word(productId))", node: devnode)
    }

    /// udev's ID_USB_INTERFACES, else the raw descriptors, else the interface children.
    private func hasHIDInterface(_ device: OpaquePointer) -> Bool {
        if let list = udevProperty(device, "ID_USB_INTERFACES"), USBDescriptors.interfaceClasses(udevProperty: list).contains(USBDescriptors.hidClass) {
            return true
        }
        // The attribute is binary: read the file, not udev's string value.
        if let syspath = udevString(udev_device_get_syspath(device)),
           let data = FileManager.default.contents(atPath: syspath + "/descriptors"),
           USBDescriptors.interfaceClasses(Array(data)).contains(USBDescriptors.hidClass) {
            return true
        }
        guard let enumerator = udev_enumerate_new(handle) else { return false }
        defer { udev_enumerate_unref(enumerator) }
        udev_enumerate_add_match_parent(enumerator, device)
        udev_enumerate_add_match_subsystem(enumerator, "usb")
        udev_enumerate_scan_devices(enumerator)
        var entry = udev_enumerate_get_list_entry(enumerator)
        while let current = entry {
            if let path = udev_list_entry_get_name(current), let child = udev_device_new_from_syspath(handle, path) {
                // match_parent takes the whole subtree: a hub must not count the
                // interfaces of the keyboard plugged into it.
                let own = udev_device_get_parent(child).flatMap { udevString(udev_device_get_syspath($0)) } == udevString(udev_device_get_syspath(device))
                let hid = own && udevString(udev_device_get_devtype(child)) == "usb_interface" && udevSysattr(child, "bInterfaceClass") == "03"
                udev_device_unref(child)
                if hid { return true }
            }
            entry = udev_list_entry_get_next(current)
        }
        return false
    }

    private func interfaceNumber(_ interface: OpaquePointer) -> Int? {
        if let text = udevSysattr(interface, "bInterfaceNumber"), let number = Int(text, radix: 16) { return number }
        return udevString(udev_device_get_sysname(interface))?.split(separator: ".").last.flatMap { Int($0) }
    }

    private func fallbackDevnode(_ kind: UdevNode.Kind, sysname: String, device: OpaquePointer) -> String? {
        switch kind {
        case .evdev: return "/dev/input/" + sysname
        case .hidraw, .tty: return "/dev/" + sysname
        case .usb:
            guard let bus = (udevSysattr(device, "busnum") ?? udevProperty(device, "BUSNUM")).flatMap({ Int($0) }),
                  let address = (udevSysattr(device, "devnum") ?? udevProperty(device, "DEVNUM")).flatMap({ Int($0) }) else { return nil }
            return String(format: "/dev/bus/usb/%03d/%03d", bus, address)
        }
    }
}

/// A udev string, trimmed; nil when absent or empty.
func udevString(_ pointer: UnsafePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    let text = String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? nil : text
}

func udevProperty(_ device: OpaquePointer, _ key: String) -> String? { udevString(udev_device_get_property_value(device, key)) }

func udevSysattr(_ device: OpaquePointer, _ key: String) -> String? { udevString(udev_device_get_sysattr_value(device, key)) }

/// udev quotes some input properties: `NAME="HID 05f3:0007"`.
private func unquoted(_ text: String) -> String {
    text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
}
