/// The forms a `deviceId` takes, as `DeviceIdentity.deviceId` spells them:
/// a USB serial number, `usb-<port path>` for a device without one, or a
/// simulated keypad's id. A binding in another form would never match a
/// device, so configuration checks reject it with the right spelling.
public enum DeviceIdForm: Sendable, Equatable {
    case serial(String)
    case portPath(String)
    case simulated(String)
    /// A serial port not on USB (a built-in UART, a port named in `[devices] serial_ports`): `tty-<name>`.
    case tty(String)

    /// `usb-1-1.3@2` → (`usb-1-1.3`, 2): a serial line's id and a bus address
    /// on it; an id without `@` has no address. Nil address text that is not
    /// a number 0–65535 is returned as is (and refused by `parse`).
    public static func splitAddress(_ id: String) -> (base: String, address: Int?) {
        guard let at = id.lastIndex(of: "@") else { return (id, nil) }
        guard let address = Int(id[id.index(after: at)...]), (0...65_535).contains(address) else { return (id, nil) }
        return (String(id[..<at]), address)
    }

    /// The form of `id`, or why no device will ever report it.
    public static func parse(_ id: String, simulatedIds: Set<String> = []) -> Result<DeviceIdForm, Invalid> {
        if id.isEmpty { return .failure(Invalid(description: "an empty deviceId matches no device")) }
        let (base, address) = splitAddress(id)
        if address != nil { return parse(base, simulatedIds: simulatedIds) }
        if id.contains("@") {
            return .failure(Invalid(description: "\"\(id)\": after @ comes a bus address 0–65535, as in usb-1-1.3@2"))
        }
        if id.hasPrefix("tty-"), id.count > 4, !id.contains("/") { return .success(.tty(String(id.dropFirst(4)))) }
        if simulatedIds.contains(id) || id.hasPrefix("sim-") { return .success(.simulated(id)) }
        if id.hasPrefix("usb-") {
            let port = String(id.dropFirst(4))
            return USBNames.isUSBDevice(port) ? .success(.portPath(port))
                : .failure(Invalid(description: "\"\(id)\": usb- must be followed by a USB port path such as usb-1-1.3"))
        }
        if USBNames.isUSBDevice(id) {
            return .failure(Invalid(description: "\"\(id)\" is a bare USB port path; the deviceId of a device without a serial number is \"usb-\(id)\" (see evalctl devices)"))
        }
        if id.hasPrefix("/") {
            return .failure(Invalid(description: "\"\(id)\" is a device node; nodes change on replug: bind the serial number or usb-<port path> that evalctl devices shows"))
        }
        if id.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            return .failure(Invalid(description: "\"\(id)\" contains spaces or control characters; no serial number does"))
        }
        return .success(.serial(id))
    }

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }
}
