/// Keyboard-style keypad: a key press → button number. Releases and
/// auto-repeat (a held button) never count; debouncing is the session's job.
public struct KeypadKeyDecoder: Sendable {
    private let buttons: [UInt16: Int]

    public init(keys: [KeyBinding]) {
        var buttons: [UInt16: Int] = [:]
        for key in keys { buttons[key.code] = key.button }
        self.buttons = buttons
    }

    public func feed(_ event: KeyEvent) -> [DecodedInput] {
        guard event.action == .press else { return [] }
        guard let button = buttons[event.code] else { return [.discarded("key code \(event.code) is not a keypad button")] }
        return [.button(button)]
    }
}
