/// Profiles every installation has. Keypad layouts are templates (no VID:PID):
/// a keyboard-style keypad is only grabbed once a profile file names its
/// VID:PID and `"extends"` one of them — grabbing every keyboard would steal
/// the counter PC's own keyboard.
public enum BuiltInProfiles {
    /// Keys 1–5 on the main row.
    public static let digitKeypad = DeviceProfile(
        name: "keypad-digits", match: DeviceMatch(), backend: .evdev, role: .keypad,
        keys: (1...5).map { KeyBinding(code: KeyCode.digit1 + UInt16($0 - 1), button: $0) }
    )
    /// F1–F5.
    public static let functionKeypad = DeviceProfile(
        name: "keypad-function", match: DeviceMatch(), backend: .evdev, role: .keypad,
        keys: (1...5).map { KeyBinding(code: KeyCode.f1 + UInt16($0 - 1), button: $0) }
    )
    /// Numpad 1–5 (the numpad's codes are not contiguous: 1 2 3 sit below 4 5).
    public static let numpadKeypad = DeviceProfile(
        name: "keypad-numpad", match: DeviceMatch(), backend: .evdev, role: .keypad,
        keys: [
            KeyBinding(code: KeyCode.keypad1, button: 1), KeyBinding(code: KeyCode.keypad2, button: 2),
            KeyBinding(code: KeyCode.keypad3, button: 3), KeyBinding(code: KeyCode.keypad4, button: 4),
            KeyBinding(code: KeyCode.keypad5, button: 5),
        ]
    )
    /// A keyboard-wedge barcode/QR scanner: a burst of keys ending in Enter.
    public static let keyboardWedgeScanner = DeviceProfile(
        name: "scanner-keyboard-wedge", match: DeviceMatch(), backend: .evdev, role: .scanner,
        debounceMilliseconds: 0, scan: ScanSettings()
    )

    /// Scanner makers whose USB HID scanners ship in keyboard-wedge mode by
    /// default; matched on vendor only, any product.
    static let scannerVendors: [(name: String, vendorId: UInt16)] = [
        ("scanner-honeywell", 0x0C2E),
        ("scanner-zebra-symbol", 0x05E0),
        ("scanner-datalogic", 0x05F9),
        ("scanner-newland", 0x1EAB),
    ]

    public static var all: [DeviceProfile] {
        var profiles = [digitKeypad, functionKeypad, numpadKeypad, keyboardWedgeScanner]
        for vendor in scannerVendors {
            var profile = keyboardWedgeScanner
            profile.name = vendor.name
            profile.match = DeviceMatch(vendorId: vendor.vendorId)
            profiles.append(profile)
        }
        return profiles + BuiltInSerialProfiles.all
    }
}
