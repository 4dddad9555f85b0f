/// Keyboard-style keypad: a key press → button number. Releases and
/// auto-repeat (a held button) never count; debouncing is the session's job.
///
/// A key pressed while Ctrl, Alt or Meta is held is not a button (Ctrl+1 is
/// a shortcut someone typed on a keyboard, not a rating) unless the profile
/// says `"ignoreModifiedKeys": false`. The modifiers themselves are tracked
/// silently.
public struct KeypadKeyDecoder: Sendable {
    private let buttons: [UInt16: Int]
    private let ignoreModifiedKeys: Bool
    private var heldModifiers: Set<UInt16> = []

    public init(keys: [KeyBinding], ignoreModifiedKeys: Bool = true) {
        var buttons: [UInt16: Int] = [:]
        for key in keys { buttons[key.code] = key.button }
        self.buttons = buttons
        self.ignoreModifiedKeys = ignoreModifiedKeys
    }

    public mutating func feed(_ event: KeyEvent) -> [DecodedInput] {
        if ignoreModifiedKeys, buttons[event.code] == nil, KeyCode.isChordModifier(event.code) {
            switch event.action {
            case .press: heldModifiers.insert(event.code)
            case .release: heldModifiers.remove(event.code)
            case .autoRepeat: break
            }
            return []
        }
        guard event.action == .press else { return [] }
        guard let button = buttons[event.code] else { return [.discarded("key code \(event.code) is not a keypad button")] }
        if !heldModifiers.isEmpty {
            let names = heldModifiers.sorted().map(KeyCode.modifierName).joined(separator: "+")
            return [.discarded("key code \(event.code) with \(names) held ignored")]
        }
        return [.button(button)]
    }
}
