/// Reads interface classes out of a USB device's raw `descriptors` sysfs
/// attribute (device descriptor, then each configuration with its interfaces),
/// so a HID keypad is recognised even when sysfs shows no interface children.
enum USBDescriptors {
    static let interfaceType: UInt8 = 4
    static let hidClass: UInt8 = 3

    /// bInterfaceClass of every interface descriptor, in order.
    static func interfaceClasses(_ bytes: [UInt8]) -> [UInt8] {
        var classes: [UInt8] = []
        var index = 0
        while index + 1 < bytes.count {
            let length = Int(bytes[index])
            guard length >= 2, index + length <= bytes.count else { break }
            if bytes[index + 1] == interfaceType, length >= 9 { classes.append(bytes[index + 5]) }
            index += length
        }
        return classes
    }

    /// `:030101:030000:` (udev's ID_USB_INTERFACES): class, subclass, protocol per interface.
    static func interfaceClasses(udevProperty text: String) -> [UInt8] {
        text.split(separator: ":").compactMap { entry in entry.count == 6 ? UInt8(entry.prefix(2), radix: 16) : nil }
    }
}
