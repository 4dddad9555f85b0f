/// Who a keypad or scanner is, as far as the agent can tell.
///
/// `deviceId` is what evaluations and window bindings use: it must survive a
/// replug, so it is the USB serial number when the device has one, else the USB
/// port path (a device without a serial is identified by the socket it sits in).
public struct DeviceIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var vendorId: UInt16
    public var productId: UInt16
    /// USB serial number (iSerialNumber / input `uniq`); nil or empty when the device has none.
    public var serial: String?
    /// USB port path as the kernel names it, e.g. `1-1.4` (bus 1, port 1, hub port 4).
    public var portPath: String?
    /// Product name as the device reports it.
    public var name: String
    /// The device node read, e.g. `/dev/input/event5`, `/dev/hidraw0`, `/dev/bus/usb/001/002`.
    public var node: String?
    /// A serial port not on USB: its kernel name (`ttyS1`), so its id is `tty-ttyS1`.
    public var ttyName: String?
    /// A keypad on a serial bus: its bus address, so each keypad of one line
    /// has an id of its own (`<line id>@<address>`) and can serve its own window.
    public var address: Int?

    public init(vendorId: UInt16, productId: UInt16, serial: String? = nil, portPath: String? = nil, name: String, node: String? = nil,
                ttyName: String? = nil, address: Int? = nil) {
        self.ttyName = ttyName
        self.address = address
        self.vendorId = vendorId
        self.productId = productId
        self.serial = serial
        self.portPath = portPath
        self.name = name
        self.node = node
    }

    /// Serial number, else `usb-<port path>`, else `tty-<name>` for a serial
    /// port not on USB, else the node (only the simulated keypad has neither);
    /// `@<address>` after it for a keypad on a serial bus.
    public var deviceId: String {
        guard let address else { return lineId }
        return "\(lineId)@\(address)"
    }

    /// The id without a bus address: the USB device or port itself.
    public var lineId: String {
        if let serial, !serial.isEmpty { return serial }
        if let portPath, !portPath.isEmpty { return "usb-\(portPath)" }
        if let ttyName, !ttyName.isEmpty { return "tty-\(ttyName)" }
        return node ?? "unknown-\(vidPid)"
    }

    /// The same device at a bus address.
    public func at(address: Int) -> DeviceIdentity {
        var copy = self
        copy.address = address
        return copy
    }

    /// `vvvv:pppp` in lowercase hex, as lsusb prints it.
    public var vidPid: String { "\(Hex.word(vendorId)):\(Hex.word(productId))" }

    public var description: String { "\(name) [\(vidPid)] id=\(deviceId)\(node.map { " at \($0)" } ?? "")" }
}

enum Hex {
    static func word(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func byte(_ value: UInt8) -> String {
        let digits = String(value, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    static func bytes<S: Sequence>(_ data: S) -> String where S.Element == UInt8 {
        data.map(byte).joined()
    }

    /// Parses `0c2e`, `0x0C2E` or `c2e`.
    static func parseWord(_ text: String) -> UInt16? {
        var digits = text.lowercased()
        if digits.hasPrefix("0x") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.count <= 4 else { return nil }
        return UInt16(digits, radix: 16)
    }

    /// Parses hex text such as `01 00 ff` or `0100ff`; nil when malformed.
    static func parseBytes(_ text: String) -> [UInt8]? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
