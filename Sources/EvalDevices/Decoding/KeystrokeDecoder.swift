/// Keyboard-wedge scanner: key events → scanned text, US layout. Pure: no I/O,
/// time comes from the event timestamps (and `flush(at:)` for a scan whose
/// end is a silence rather than a key).
///
/// Releases and auto-repeats never type; Shift (either) and Caps Lock set the
/// case; Enter (or the configured terminator) ends the scan; a gap longer than
/// the inter-key timeout ends it too; text past `maxLength` is discarded whole.
public struct KeystrokeDecoder: Sendable {
    public let settings: ScanSettings
    private var buffer: [Character] = []
    private var lastKeyTime: Double?
    var lastKeyTimeValue: Double? { lastKeyTime }
    private var shiftsDown: Set<UInt16> = []
    /// Ctrl, Alt, Meta held: chords (and Alt+numpad codes) type nothing.
    private var chordKeysDown: Set<UInt16> = []
    private var capsLock = false
    private var overflowed = false
    private var unknownKeys = 0

    public init(settings: ScanSettings) { self.settings = settings }

    private var timeout: Double { Double(settings.interKeyTimeoutMilliseconds) / 1000 }

    /// True while a scan is partly typed: the reader should call `flush(at:)`
    /// once `deadline` passes with no further key.
    public var deadline: Double? {
        guard let lastKeyTime, !buffer.isEmpty || overflowed || unknownKeys > 0 else { return nil }
        return lastKeyTime + timeout
    }

    public mutating func feed(_ event: KeyEvent) -> [DecodedInput] {
        var out = flush(at: event.time)
        if KeyCode.isShift(event.code) {
            if event.action == .release { shiftsDown.remove(event.code) } else { shiftsDown.insert(event.code) }
            return out
        }
        if KeyCode.isChordModifier(event.code) {
            if event.action == .release { chordKeysDown.remove(event.code) } else { chordKeysDown.insert(event.code) }
            return out
        }
        guard event.action == .press else { return out }
        if event.code == KeyCode.capsLock {
            capsLock.toggle()
            return out
        }
        lastKeyTime = event.time
        if isTerminator(event.code) {
            out += finish(reason: nil)
            return out
        }
        guard chordKeysDown.isEmpty, let pair = KeyCode.usLayout[event.code] else {
            unknownKeys += 1
            return out
        }
        let shifted = !shiftsDown.isEmpty
        var char = shifted ? pair.1 : pair.0
        if capsLock, char.isLetter { char = shifted ? Character(char.lowercased()) : Character(char.uppercased()) }
        if buffer.count >= settings.maxLength {
            overflowed = true
        } else if !overflowed {
            buffer.append(char)
        }
        return out
    }

    /// Ends a scan whose last key is older than the inter-key timeout at `time`.
    public mutating func flush(at time: Double) -> [DecodedInput] {
        guard let deadline, time > deadline else { return [] }
        return finish(reason: settings.terminator == .none ? nil : "scan cut short: no \(settings.terminator.rawValue) within \(settings.interKeyTimeoutMilliseconds) ms")
    }

    private func isTerminator(_ code: UInt16) -> Bool {
        switch settings.terminator {
        case .enter: code == KeyCode.enter || code == KeyCode.keypadEnter
        case .tab: code == KeyCode.tab
        case .none: false
        }
    }

    private mutating func finish(reason: String?) -> [DecodedInput] {
        defer {
            buffer.removeAll(keepingCapacity: true)
            overflowed = false
            unknownKeys = 0
            lastKeyTime = nil
        }
        if overflowed {
            return [.discarded("scan longer than \(settings.maxLength) characters discarded")]
        }
        // Nothing typed (a lone Enter, only unknown keys): nothing to report.
        if buffer.isEmpty { return [] }
        if let reason {
            return [.discarded("\(reason) (\(buffer.count) characters discarded)")]
        }
        var out: [DecodedInput] = []
        if unknownKeys > 0 { out.append(.discarded("\(unknownKeys) key(s) without a character ignored in scan")) }
        if !buffer.isEmpty { out.append(.text(String(buffer))) }
        return out
    }
}
