import EvalCore

/// How a keypad shows the session's prompts (`invite`, `thanks`, `timeout`),
/// when it can: bytes it understands, from its vendor's documentation or a
/// USB capture of the vendor's own software. A profile without them works as
/// before; a prompt it does not declare is simply not shown.
///
/// JSON: `"outputs": {"invite": {"report": "02 01 1e"}, "thanks": {"feature": "03 02"}, "timeout": {"led": 1, "on": false}}`.
public struct PromptOutputs: Sendable, Hashable, Codable {
    public var invite: OutputAction?
    public var thanks: OutputAction?
    public var timeout: OutputAction?
    /// A bad review's reason step (issue 26); without it the step is skipped.
    public var reason: OutputAction?

    public init(invite: OutputAction? = nil, thanks: OutputAction? = nil, timeout: OutputAction? = nil, reason: OutputAction? = nil) {
        self.invite = invite
        self.thanks = thanks
        self.timeout = timeout
        self.reason = reason
    }

    public subscript(_ prompt: CounterPrompt) -> OutputAction? {
        switch prompt {
        case .invite: invite
        case .thanks: thanks
        case .timeout: timeout
        case .reason: reason
        }
    }

    /// The prompts this device can show, in `CounterPrompt` order.
    public var declared: [CounterPrompt] { CounterPrompt.allCases.filter { self[$0] != nil } }

    func problems(backend: DeviceProfile.Backend) -> [String] {
        declared.flatMap { prompt in self[prompt]!.problems(backend: backend).map { "outputs.\(prompt.rawValue): \($0)" } }
    }
}

/// One thing sent to a device.
public enum OutputAction: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A HID output report: written to the hidraw node, or sent through
    /// libusb (interrupt OUT endpoint, else SET_REPORT). Byte 0 is the report
    /// ID, 0 for a device that numbers no reports (as hidraw expects).
    case outputReport([UInt8])
    /// A HID feature report (HIDIOCSFEATURE, or SET_REPORT(Feature)); byte 0 as above.
    case featureReport([UInt8])
    /// An evdev LED (`EV_LED`: 0 NumLock, 1 CapsLock, 2 ScrollLock, … 15).
    case led(code: UInt16, on: Bool)

    /// hidraw's own limit on one report (HID_MAX_BUFFER_SIZE).
    static let maxReportLength = 4096

    enum CodingKeys: String, CodingKey, CaseIterable { case report, feature, led, on }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let given = CodingKeys.allCases.filter { $0 != .on && c.contains($0) }
        guard given.count == 1, let kind = given.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "an output is exactly one of \"report\", \"feature\" or \"led\""))
        }
        switch kind {
        case .report, .feature:
            let text = try c.decode(String.self, forKey: kind)
            guard let bytes = Hex.parseBytes(text) else {
                throw DecodingError.dataCorruptedError(forKey: kind, in: c, debugDescription: "expected hex bytes such as \"02 01 00\", got \(text)")
            }
            self = kind == .report ? .outputReport(bytes) : .featureReport(bytes)
        default:
            self = .led(code: try c.decode(UInt16.self, forKey: .led), on: try c.decodeIfPresent(Bool.self, forKey: .on) ?? true)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .outputReport(let bytes): try c.encode(Self.spaced(bytes), forKey: .report)
        case .featureReport(let bytes): try c.encode(Self.spaced(bytes), forKey: .feature)
        case .led(let code, let on):
            try c.encode(code, forKey: .led)
            try c.encode(on, forKey: .on)
        }
    }

    public var description: String {
        switch self {
        case .outputReport(let bytes): "output report \(Self.spaced(bytes))"
        case .featureReport(let bytes): "feature report \(Self.spaced(bytes))"
        case .led(let code, let on): "LED \(code) \(on ? "on" : "off")"
        }
    }

    func problems(backend: DeviceProfile.Backend) -> [String] {
        switch self {
        case .outputReport(let bytes), .featureReport(let bytes):
            var found: [String] = []
            if bytes.isEmpty { found.append("a report needs at least its report ID byte") }
            if bytes.count > Self.maxReportLength { found.append("\(bytes.count) bytes is longer than a HID report can be (\(Self.maxReportLength))") }
            if backend == .evdev { found.append("an evdev device takes LEDs, not reports (read it through hidraw or libusb)") }
            return found
        case .led(let code, _):
            var found: [String] = []
            if code > 0x0f { found.append("LED \(code) is not an evdev LED (0–15)") }
            if backend != .evdev { found.append("LEDs are set through evdev; a \(backend.rawValue) device takes \"report\" or \"feature\"") }
            return found
        }
    }

    private static func spaced(_ bytes: [UInt8]) -> String { bytes.map(Hex.byte).joined(separator: " ") }
}
