import Foundation

/// Renders `udev/70-evald.rules` from the profile table, so the agent's matching
/// and the device permissions can never disagree. Nodes go to group `evald`,
/// mode 0660: never world-writable, never `uaccess` (the desktop user must not
/// read the citizen's keypad).
public enum UdevRules {
    public static let group = "evald"
    public static let regenerateCommand = "swift run evald-device-probe udev-rules > udev/70-evald.rules"

    /// `boundLines`: the line ids (`A9XK2`, `usb-1-1.3`) of the serial lines
    /// the hall's `[[window]]` bindings name. A serial profile matched by
    /// VID:PID alone gets one rule per bound adapter, never one for every
    /// adapter of that chip (a CH340 is in modems and GPS receivers too).
    public static func render(_ profiles: [DeviceProfile], boundLines: [String] = []) -> String {
        var lines: [String] = [
            "# evald: keypads and scanners readable by the evald service (group \(group)).",
            "# Generated from the device profile table; do not edit. Regenerate with:",
            "#   \(regenerateCommand)",
            "ACTION!=\"add|change\", GOTO=\"evald_end\"",
            "",
        ]
        var seen = Set<String>()
        for profile in profiles.sorted(by: { $0.name < $1.name }) {
            if profile.backend == .serial, profile.match.vendorId != nil, profile.match.serial == nil {
                for line in Set(boundLines).sorted() {
                    guard let rule = serialRule(for: profile, line: line), seen.insert(rule).inserted else { continue }
                    lines.append(comment(for: profile) + " bound line \(line)")
                    lines.append(rule)
                }
                continue
            }
            guard let rule = rule(for: profile), seen.insert(rule).inserted else { continue }
            lines.append(comment(for: profile))
            lines.append(rule)
        }
        lines.append("")
        lines.append("LABEL=\"evald_end\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one rule line for a profile (nil for a template: it has no vendor id).
    /// `evalctl devices learn` prints it for the draft it writes.
    public static func rule(for profile: DeviceProfile) -> String? {
        guard let vendorId = profile.match.vendorId else { return nil }
        var ids = "ATTRS{idVendor}==\"\(Hex.word(vendorId))\""
        if let productId = profile.match.productId { ids += ", ATTRS{idProduct}==\"\(Hex.word(productId))\"" }
        let subsystem = switch profile.backend {
        case .evdev: "SUBSYSTEM==\"input\", KERNEL==\"event*\""
        case .hidraw: "SUBSYSTEM==\"hidraw\""
        case .libusb: "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\""
        case .serial: "SUBSYSTEM==\"tty\""
        }
        // A serial adapter chip (CH340, PL2303 …) sits in modems and GPS
        // receivers too: only the adapter with the hall's serial number is ours.
        if profile.backend == .serial, let serial = profile.match.serial { ids += ", ATTRS{serial}==\"\(serial)\"" }
        return "\(subsystem), \(ids), GROUP=\"\(group)\", MODE=\"0660\""
    }

    /// A serial adapter of `profile`'s VID:PID bound as `line`: by its serial
    /// number, or by the USB port it sits in (`usb-1-1.3`). Nil for a line
    /// that is no USB adapter (`tty-ttyS1`: a built-in UART is set up by hand).
    static func serialRule(for profile: DeviceProfile, line: String) -> String? {
        guard var rule = rule(for: profile) else { return nil }
        let condition: String
        switch DeviceIdForm.parse(line) {
        case .success(.serial(let serial)): condition = "ATTRS{serial}==\"\(serial)\""
        case .success(.portPath(let port)): condition = "KERNELS==\"\(port)\""
        default: return nil
        }
        rule = rule.replacingOccurrences(of: ", GROUP=", with: ", \(condition), GROUP=")
        return rule
    }

    public static func comment(for profile: DeviceProfile) -> String {
        "# \(profile.name) (\(profile.role.rawValue), \(profile.backend.rawValue))"
    }
}
