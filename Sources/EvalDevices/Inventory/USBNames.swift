import Foundation

/// How the kernel names USB devices and interfaces in sysfs.
enum USBNames {
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

    /// `event2` before `event10`.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }
}
