import EvalCore

/// How one kind of keypad or scanner is matched, read and decoded. Profiles are
/// data (built-ins plus JSON files in a profiles directory) because no vendor
/// protocol is public: a technician writes one after watching raw reports in
/// learn mode. The same table generates the udev rules.
public struct DeviceProfile: Sendable, Hashable, Codable {
    public enum Backend: String, Sendable, Codable, CaseIterable { case evdev, libusb, hidraw, serial }
    public enum Role: String, Sendable, Codable { case keypad, scanner }

    public var name: String
    public var match: DeviceMatch
    public var backend: Backend
    public var role: Role
    /// Keyboard-style keypads: evdev key code → button number (1…5).
    public var keys: [KeyBinding]?
    /// Vendor-report keypads (libusb, hidraw): where the button sits in a report.
    public var report: ReportLayout?
    /// Button number → rating, explicit per profile (keypads differ in which end is 非常满意).
    public var buttons: ButtonRatings
    /// Handed to the session layer, which does the debouncing (not the decoder).
    public var debounceMilliseconds: Int
    /// Keyboard-wedge scanners: how a scan ends and how long it may be.
    public var scan: ScanSettings?
    /// Keyboard-style keypads: a key pressed with Ctrl, Alt or Meta held is not
    /// a button (default true; false for a keypad that sends such chords itself).
    public var ignoreModifiedKeys: Bool
    /// What the keypad can show for the session's prompts; nil: nothing.
    public var outputs: PromptOutputs?
    /// Serial-bus evaluators (`backend: serial`): line, framing, checksum, fields, prompts.
    public var serial: SerialLayout?

    public init(
        name: String, match: DeviceMatch, backend: Backend, role: Role,
        keys: [KeyBinding]? = nil, report: ReportLayout? = nil,
        buttons: ButtonRatings = .buttonOneIsVerySatisfied,
        debounceMilliseconds: Int = 300, scan: ScanSettings? = nil, ignoreModifiedKeys: Bool = true,
        outputs: PromptOutputs? = nil, serial: SerialLayout? = nil
    ) {
        self.serial = serial
        self.name = name
        self.match = match
        self.backend = backend
        self.role = role
        self.keys = keys
        self.report = report
        self.buttons = buttons
        self.debounceMilliseconds = debounceMilliseconds
        self.scan = scan
        self.ignoreModifiedKeys = ignoreModifiedKeys
        self.outputs = outputs
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, match, backend, role, keys, report, buttons, debounceMilliseconds, scan, ignoreModifiedKeys, outputs, serial
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        match = try c.decodeIfPresent(DeviceMatch.self, forKey: .match) ?? DeviceMatch()
        backend = try c.decode(Backend.self, forKey: .backend)
        role = try c.decode(Role.self, forKey: .role)
        keys = try c.decodeIfPresent([KeyBinding].self, forKey: .keys)
        report = try c.decodeIfPresent(ReportLayout.self, forKey: .report)
        buttons = try c.decodeIfPresent(ButtonRatings.self, forKey: .buttons) ?? .buttonOneIsVerySatisfied
        debounceMilliseconds = try c.decodeIfPresent(Int.self, forKey: .debounceMilliseconds) ?? 300
        scan = try c.decodeIfPresent(ScanSettings.self, forKey: .scan)
        ignoreModifiedKeys = try c.decodeIfPresent(Bool.self, forKey: .ignoreModifiedKeys) ?? true
        outputs = try c.decodeIfPresent(PromptOutputs.self, forKey: .outputs)
        serial = try c.decodeIfPresent(SerialLayout.self, forKey: .serial)
    }

    /// Reasons this profile cannot work; empty when it is usable.
    public func problems() -> [String] {
        var found: [String] = []
        if name.isEmpty { found.append("profile has no name") }
        switch (role, backend) {
        case (.scanner, .evdev):
            if scan == nil { found.append("\(name): scanner profile needs \"scan\" settings") }
        case (.scanner, _):
            found.append("\(name): scanners are read through evdev (keyboard wedge)")
        case (.keypad, .evdev):
            if (keys ?? []).isEmpty { found.append("\(name): evdev keypad needs \"keys\"") }
        case (.keypad, .libusb), (.keypad, .hidraw):
            if report == nil { found.append("\(name): \(backend.rawValue) keypad needs \"report\"") }
            if match.vendorId == nil { found.append("\(name): \(backend.rawValue) profile needs vendorId") }
        case (.keypad, .serial):
            if serial == nil { found.append("\(name): serial keypad needs \"serial\"") }
            if outputs != nil { found.append("\(name): a serial keypad's prompts are \"serial.outputs\" frames, not \"outputs\"") }
        }
        if let report { found += report.problems().map { "\(name): \($0)" } }
        if let serial { found += serial.problems().map { "\(name): \($0)" } }
        if serial != nil, backend != .serial { found.append("\(name): \"serial\" is set but backend is \(backend.rawValue)") }
        if let outputs { found += outputs.problems(backend: backend).map { "\(name): \($0)" } }
        var codes: [UInt16: Int] = [:]
        for (index, key) in (keys ?? []).enumerated() {
            if !(1...5).contains(key.button) {
                found.append("\(name): keys[\(index)].button \(key.button) is not a button 1–5")
            } else if buttons.rating(forButton: key.button) == nil {
                found.append("\(name): key \(key.code) maps to button \(key.button), which has no rating")
            }
            if let first = codes[key.code] {
                found.append("\(name): keys[\(index)].code \(key.code) is ambiguous: keys[\(first)] binds the same key")
            } else {
                codes[key.code] = index
            }
        }
        for button in buttons.mapping.keys.sorted() where !(1...5).contains(button) {
            found.append("\(name): buttons: \"\(button)\" is not a button 1–5")
        }
        if debounceMilliseconds < 0 { found.append("\(name): debounceMilliseconds must be ≥ 0") }
        if let scan, scan.maxLength < 1 { found.append("\(name): scan.maxLength must be positive") }
        return found
    }
}

/// Which devices a profile applies to. Missing fields match anything; a profile
/// without a vendorId is a template that only applies when a binding names it.
public struct DeviceMatch: Sendable, Hashable, Codable {
    public var vendorId: UInt16?
    public var productId: UInt16?
    public var interface: Int?
    public var serial: String?

    public init(vendorId: UInt16? = nil, productId: UInt16? = nil, interface: Int? = nil, serial: String? = nil) {
        self.vendorId = vendorId
        self.productId = productId
        self.interface = interface
        self.serial = serial
    }

    enum CodingKeys: String, CodingKey { case vendorId, productId, interface, serial }

    // VID:PID are written as hex strings ("0c2e") in JSON, as lsusb prints them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vendorId = try Self.decodeHex(c, .vendorId)
        productId = try Self.decodeHex(c, .productId)
        interface = try c.decodeIfPresent(Int.self, forKey: .interface)
        serial = try c.decodeIfPresent(String.self, forKey: .serial)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(vendorId.map(Hex.word), forKey: .vendorId)
        try c.encodeIfPresent(productId.map(Hex.word), forKey: .productId)
        try c.encodeIfPresent(interface, forKey: .interface)
        try c.encodeIfPresent(serial, forKey: .serial)
    }

    private static func decodeHex(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> UInt16? {
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = Hex.parseWord(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected 4 hex digits, got \(text)")
        }
        return value
    }

    /// How specific the match is, so the most specific profile wins.
    var specificity: Int {
        (vendorId == nil ? 0 : 8) + (productId == nil ? 0 : 4) + (interface == nil ? 0 : 2) + (serial == nil ? 0 : 1)
    }

    func matches(vendorId: UInt16, productId: UInt16, interface: Int?, serial: String?) -> Bool {
        guard let wantVendor = self.vendorId, wantVendor == vendorId else { return false }
        if let wantProduct = self.productId, wantProduct != productId { return false }
        if let wantInterface = self.interface, let interface, wantInterface != interface { return false }
        if let wantSerial = self.serial, wantSerial != serial { return false }
        return true
    }
}

/// One keyboard key of a keyboard-style keypad.
public struct KeyBinding: Sendable, Hashable, Codable {
    /// evdev key code (`KEY_1` = 2, `KEY_F1` = 59, `KEY_KP1` = 79, …).
    public var code: UInt16
    public var button: Int

    public init(code: UInt16, button: Int) {
        self.code = code
        self.button = button
    }
}

/// Button number → rating. The default (button 1 = 非常满意 … 5 = 非常不满意)
/// follows the keypads' printed order, left to right; a profile can reverse it.
public struct ButtonRatings: Sendable, Hashable, Codable {
    public var mapping: [Int: Rating]

    public init(_ mapping: [Int: Rating]) { self.mapping = mapping }

    public static let buttonOneIsVerySatisfied = ButtonRatings([
        1: .verySatisfied, 2: .satisfied, 3: .basicallySatisfied, 4: .dissatisfied, 5: .veryDissatisfied,
    ])
    public static let buttonFiveIsVerySatisfied = ButtonRatings([
        5: .verySatisfied, 4: .satisfied, 3: .basicallySatisfied, 2: .dissatisfied, 1: .veryDissatisfied,
    ])

    public func rating(forButton button: Int) -> Rating? { mapping[button] }

    // JSON: {"1": 5, "2": 4, …} — button number → internal satisfaction code.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: Int].self)
        var mapping: [Int: Rating] = [:]
        for (button, code) in raw {
            guard let number = Int(button), let rating = Rating(rawValue: code) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "buttons: \(button) → \(code) is not button → satisfaction 1…5"))
            }
            mapping[number] = rating
        }
        self.mapping = mapping
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Dictionary(uniqueKeysWithValues: mapping.map { (String($0.key), $0.value.rawValue) }))
    }
}

/// How a keyboard-wedge scan ends.
public struct ScanSettings: Sendable, Hashable, Codable {
    public enum Terminator: String, Sendable, Codable { case enter, tab, none }

    public var terminator: Terminator
    /// A gap longer than this between two keys ends the scan: with a terminator
    /// the partial text is discarded (a scan cut short), without one it is the scan.
    public var interKeyTimeoutMilliseconds: Int
    /// Longer input is discarded whole: no scanner we support sends more.
    public var maxLength: Int

    public init(terminator: Terminator = .enter, interKeyTimeoutMilliseconds: Int = 100, maxLength: Int = 512) {
        self.terminator = terminator
        self.interKeyTimeoutMilliseconds = interKeyTimeoutMilliseconds
        self.maxLength = maxLength
    }
}
