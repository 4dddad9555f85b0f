/// The evdev key codes the decoders need (linux/input-event-codes.h), and the
/// US layout that keyboard-wedge scanners assume.
public enum KeyCode {
    public static let escape: UInt16 = 1
    public static let digit1: UInt16 = 2
    public static let backspace: UInt16 = 14
    public static let tab: UInt16 = 15
    public static let enter: UInt16 = 28
    public static let leftShift: UInt16 = 42
    public static let rightShift: UInt16 = 54
    public static let capsLock: UInt16 = 58
    public static let f1: UInt16 = 59
    public static let keypad7: UInt16 = 71
    public static let keypad4: UInt16 = 75
    public static let keypad5: UInt16 = 76
    public static let keypad1: UInt16 = 79
    public static let keypad2: UInt16 = 80
    public static let keypad3: UInt16 = 81
    public static let keypadEnter: UInt16 = 96

    /// (unshifted, shifted) characters for printable keys, US layout. Letters are
    /// listed lowercase; Shift and Caps Lock pick the case.
    static let usLayout: [UInt16: (Character, Character)] = {
        var map: [UInt16: (Character, Character)] = [:]
        let rows: [(UInt16, String, String)] = [
            (2, "1234567890-=", "!@#$%^&*()_+"),
            (16, "qwertyuiop[]", "QWERTYUIOP{}"),
            (30, "asdfghjkl;'`", "ASDFGHJKL:\"~"),
            (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
        ]
        for (start, plain, shifted) in rows {
            for (offset, pair) in zip(plain, shifted).enumerated() {
                map[start + UInt16(offset)] = pair
            }
        }
        map[57] = (" ", " ")
        // Numpad (Num Lock assumed on, as scanners send it).
        let keypad: [(UInt16, Character)] = [
            (71, "7"), (72, "8"), (73, "9"), (74, "-"), (75, "4"), (76, "5"), (77, "6"), (78, "+"),
            (79, "1"), (80, "2"), (81, "3"), (82, "0"), (83, "."), (55, "*"), (98, "/"),
        ]
        for (code, char) in keypad { map[code] = (char, char) }
        return map
    }()

    static func isShift(_ code: UInt16) -> Bool { code == leftShift || code == rightShift }

    /// Left/right Ctrl (29, 97), Alt (56, 100), Meta (125, 126).
    static func isChordModifier(_ code: UInt16) -> Bool { [29, 97, 56, 100, 125, 126].contains(code) }

    static func modifierName(_ code: UInt16) -> String {
        switch code {
        case 29, 97: "Ctrl"
        case 56, 100: "Alt"
        default: "Meta"
        }
    }
}

/// One EV_KEY event as evdev delivers it (`value`: 0 release, 1 press, 2 auto-repeat).
public struct KeyEvent: Sendable, Hashable {
    public enum Action: Int32, Sendable { case release = 0, press = 1, autoRepeat = 2 }

    public var code: UInt16
    public var action: Action
    /// Seconds on the device's clock (the event timestamp), used only for gaps between keys.
    public var time: Double

    public init(code: UInt16, action: Action, time: Double) {
        self.code = code
        self.action = action
        self.time = time
    }
}
