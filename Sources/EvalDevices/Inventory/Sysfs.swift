import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads device facts from sysfs under a configurable root, so tests and
/// umockdev (which redirects `/sys`) see the same code path as production.
public struct Sysfs: Sendable {
    public var root: String

    public init(root: String = "/sys") { self.root = root }

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// A sysfs attribute, trimmed; nil when absent or unreadable.
    func attribute(_ absolutePath: String) -> String? {
        guard let data = FileManager.default.contents(atPath: absolutePath),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func entries(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted(by: Self.naturalOrder)
    }

    func resolve(_ absolutePath: String) -> String? {
        guard let resolved = realpath(absolutePath, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The USB device directory above a class device (`…/1-1.4`) and the
    /// interface number it hangs off (`…/1-1.4:1.0` → 0).
    func usbAncestor(ofClassDevice classRelative: String) -> (device: String, portPath: String, interface: Int?)? {
        guard let resolved = resolve(path(classRelative)) else { return nil }
        var components = resolved.split(separator: "/").map(String.init)
        var interface: Int?
        while let last = components.popLast() {
            if Self.isUSBInterface(last), interface == nil {
                interface = last.split(separator: ".").last.flatMap { Int($0) }
            } else if Self.isUSBDevice(last) {
                return ("/" + (components + [last]).joined(separator: "/"), last, interface)
            }
        }
        return nil
    }

    /// `1-1`, `3-2.4.1`: bus-port[.port…]
    static func isUSBDevice(_ name: String) -> Bool {
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, Int(parts[0]) != nil else { return false }
        return parts[1].split(separator: ".").allSatisfy { Int($0) != nil } && !parts[1].contains(":")
    }

    /// `1-1:1.0`, `3-2.4:1.2`
    static func isUSBInterface(_ name: String) -> Bool {
        let halves = name.split(separator: ":")
        return halves.count == 2 && isUSBDevice(String(halves[0]))
    }

    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    /// Identity of `/dev/input/eventN` from sysfs (`class/input/eventN`).
    func inputIdentity(event name: String, node: String) -> (DeviceIdentity, interface: Int?)? {
        let input = path("class/input/\(name)/device")
        guard let vendorText = attribute(input + "/id/vendor"), let productText = attribute(input + "/id/product"),
              let vendorId = Hex.parseWord(vendorText), let productId = Hex.parseWord(productText) else { return nil }
        let usb = usbAncestor(ofClassDevice: "class/input/\(name)")
        var serial = attribute(input + "/uniq")
        if serial?.isEmpty ?? true, let usb { serial = attribute(usb.device + "/serial") }
        let productName = attribute(input + "/name") ?? usb.flatMap { attribute($0.device + "/product") } ?? "input device \(name)"
        let identity = DeviceIdentity(
            vendorId: vendorId, productId: productId, serial: serial?.isEmpty == false ? serial : nil,
            portPath: usb?.portPath, name: productName, node: node)
        return (identity, usb?.interface)
    }

    /// Identity of a USB device or of a class device below one (hidraw).
    func usbIdentity(classDevice classRelative: String, node: String) -> (DeviceIdentity, interface: Int?)? {
        guard let usb = usbAncestor(ofClassDevice: classRelative) else { return nil }
        return usbIdentity(deviceDirectory: usb.device, portPath: usb.portPath, interface: usb.interface, node: node)
    }

    func usbIdentity(deviceDirectory dir: String, portPath: String, interface: Int?, node: String?) -> (DeviceIdentity, interface: Int?)? {
        guard let vendorId = attribute(dir + "/idVendor").flatMap(Hex.parseWord),
              let productId = attribute(dir + "/idProduct").flatMap(Hex.parseWord) else { return nil }
        let serial = attribute(dir + "/serial")
        let name = attribute(dir + "/product") ?? "USB device \(Hex.word(vendorId)):\(Hex.word(productId))"
        let identity = DeviceIdentity(
            vendorId: vendorId, productId: productId, serial: serial?.isEmpty == false ? serial : nil,
            portPath: portPath, name: name, node: node)
        return (identity, interface)
    }
}
