import EvalCore

/// How a serial-bus evaluator (RS-232/RS-485, or a USB-serial adapter) talks:
/// line settings, framing, checksum, where the bus address and the key sit,
/// which key means which rating, push or polled, and the frames evald sends.
/// All data, because no vendor publishes its bytes and two models of one
/// vendor already differ: a technician fits a profile with learn mode.
///
/// JSON (the `"serial"` object of a profile with `"backend": "serial"`):
/// ```
/// "serial": {
///   "line": { "baud": 9600, "dataBits": 8, "parity": "none", "stopBits": 1, "flowControl": "none" },
///   "framing": { "kind": "fixed", "length": 5, "header": "AA" },
///   "checksum": { "kind": "xor8", "from": 1 },
///   "address": { "offset": 1 }, "key": { "offset": 3 },
///   "ratings": { "1": 5, "2": 4, "3": 3, "4": 2, "5": 1 },
///   "mode": "push",
///   "outputs": { "invite": { "frame": "AA {addr} 01 00 {check}" } }
/// }
/// ```
public struct SerialLayout: Sendable, Hashable, Codable {
    public var line: LineSettings
    public var framing: SerialFraming
    public var checksum: SerialChecksum
    /// Where the bus address is; nil: one device on the line, address 0.
    public var address: SerialField?
    public var key: SerialField
    /// Key code (as the `key` field reads it) → rating, per model.
    public var ratings: [Int: Rating]
    /// A polled device's answer when no key was pressed (key field value).
    public var noKey: Int?
    public var mode: Mode
    /// Polled models: the poll frame and its timing.
    public var poll: PollSettings?
    /// Bytes of a frame arriving further apart than this are not one frame:
    /// a partial frame older than this is dropped (as libmodbus' RTU silence).
    public var gapMilliseconds: Int
    /// What the device's text fields are written in (`GBK` or `UTF-8`, via iconv).
    public var textEncoding: String
    public var outputs: SerialOutputs
    /// True for the built-in examples: no vendor protocol is public, these
    /// show the shape of a profile, not a device's real bytes.
    public var illustrative: Bool

    public enum Mode: String, Sendable, Hashable, Codable { case push, polled }

    public init(line: LineSettings = LineSettings(), framing: SerialFraming, checksum: SerialChecksum = SerialChecksum(),
                address: SerialField? = nil, key: SerialField, ratings: [Int: Rating], noKey: Int? = nil,
                mode: Mode = .push, poll: PollSettings? = nil, gapMilliseconds: Int = 100, textEncoding: String = "GBK",
                outputs: SerialOutputs = SerialOutputs(), illustrative: Bool = false) {
        self.line = line
        self.framing = framing
        self.checksum = checksum
        self.address = address
        self.key = key
        self.ratings = ratings
        self.noKey = noKey
        self.mode = mode
        self.poll = poll
        self.gapMilliseconds = gapMilliseconds
        self.textEncoding = textEncoding
        self.outputs = outputs
        self.illustrative = illustrative
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case line, framing, checksum, address, key, ratings, noKey, mode, poll, gapMilliseconds, textEncoding, outputs, illustrative
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        line = try c.decodeIfPresent(LineSettings.self, forKey: .line) ?? LineSettings()
        framing = try c.decode(SerialFraming.self, forKey: .framing)
        checksum = try c.decodeIfPresent(SerialChecksum.self, forKey: .checksum) ?? SerialChecksum()
        address = try c.decodeIfPresent(SerialField.self, forKey: .address)
        key = try c.decode(SerialField.self, forKey: .key)
        let raw = try c.decode([String: Int].self, forKey: .ratings)
        var ratings: [Int: Rating] = [:]
        for (code, value) in raw {
            guard let number = Int(code), let rating = Rating(rawValue: value) else {
                throw DecodingError.dataCorruptedError(forKey: .ratings, in: c,
                                                       debugDescription: "ratings: \"\(code)\" → \(value) is not key code → satisfaction 1…5")
            }
            ratings[number] = rating
        }
        self.ratings = ratings
        noKey = try c.decodeIfPresent(Int.self, forKey: .noKey)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .push
        poll = try c.decodeIfPresent(PollSettings.self, forKey: .poll)
        gapMilliseconds = try c.decodeIfPresent(Int.self, forKey: .gapMilliseconds) ?? 100
        textEncoding = try c.decodeIfPresent(String.self, forKey: .textEncoding) ?? "GBK"
        outputs = try c.decodeIfPresent(SerialOutputs.self, forKey: .outputs) ?? SerialOutputs()
        illustrative = try c.decodeIfPresent(Bool.self, forKey: .illustrative) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(line, forKey: .line)
        try c.encode(framing, forKey: .framing)
        try c.encode(checksum, forKey: .checksum)
        try c.encodeIfPresent(address, forKey: .address)
        try c.encode(key, forKey: .key)
        try c.encode(Dictionary(uniqueKeysWithValues: ratings.map { (String($0.key), $0.value.rawValue) }), forKey: .ratings)
        try c.encodeIfPresent(noKey, forKey: .noKey)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(poll, forKey: .poll)
        try c.encode(gapMilliseconds, forKey: .gapMilliseconds)
        try c.encode(textEncoding, forKey: .textEncoding)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(illustrative, forKey: .illustrative)
    }

    /// Each problem names the field.
    func problems() -> [String] {
        var found: [String] = []
        found += line.problems()
        found += framing.problems()
        for (name, field) in [("address", address), ("key", Optional(key))] {
            guard let field else { continue }
            if field.offset < 0 || !(1...4).contains(field.length) { found.append("serial.\(name): offset must be ≥ 0 and length 1–4") }
            if case .fixed(let length, _) = framing, field.offset + field.length > length {
                found.append("serial.\(name) (offset \(field.offset), length \(field.length)) is outside the \(length)-byte frame")
            }
        }
        if checksum.kind != .none {
            if checksum.from < 0 { found.append("serial.checksum.from must be ≥ 0") }
            if checksum.at >= 0 { found.append("serial.checksum.at counts from the frame's end: -1 is the last byte") }
            if case .line = framing { found.append("serial.checksum: an ASCII line carries no binary checksum (use framing \"delimiter\")") }
        }
        if ratings.isEmpty { found.append("serial.ratings maps no key to a rating") }
        if let noKey, ratings[noKey] != nil { found.append("serial.noKey \(noKey) is also a rated key") }
        switch mode {
        case .polled:
            if let poll { found += poll.problems() } else { found.append("serial: a polled model needs \"poll\"") }
        case .push:
            if poll != nil { found.append("serial.poll is set but mode is \"push\"") }
        }
        if gapMilliseconds < 1 { found.append("serial.gapMilliseconds must be ≥ 1") }
        if TextEncoder(encoding: textEncoding) == nil { found.append("serial.textEncoding \"\(textEncoding)\" is not known to iconv") }
        for (name, template) in outputs.all + (poll.map { [("poll.frame", $0.frame)] } ?? []) {
            found += template.problems(checksum: checksum).map { "serial.\(name): \($0)" }
        }
        return found
    }
}

/// termios settings of the line.
public struct LineSettings: Sendable, Hashable, Codable {
    public enum Parity: String, Sendable, Hashable, Codable { case none, even, odd }
    public enum FlowControl: String, Sendable, Hashable, Codable { case none, rtscts, xonxoff }

    public var baud: Int
    public var dataBits: Int
    public var parity: Parity
    public var stopBits: Int
    /// None unless the profile says so: most keypads have no handshake lines wired.
    public var flowControl: FlowControl

    public static let supportedBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    public init(baud: Int = 9600, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1, flowControl: FlowControl = .none) {
        self.baud = baud
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
        self.flowControl = flowControl
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case baud, dataBits, parity, stopBits, flowControl }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baud = try c.decodeIfPresent(Int.self, forKey: .baud) ?? 9600
        dataBits = try c.decodeIfPresent(Int.self, forKey: .dataBits) ?? 8
        parity = try c.decodeIfPresent(Parity.self, forKey: .parity) ?? .none
        stopBits = try c.decodeIfPresent(Int.self, forKey: .stopBits) ?? 1
        flowControl = try c.decodeIfPresent(FlowControl.self, forKey: .flowControl) ?? .none
    }

    /// `9600 8N1`, as a technician reads it off a label.
    public var summary: String {
        "\(baud) \(dataBits)\(parity == .none ? "N" : parity == .even ? "E" : "O")\(stopBits)\(flowControl == .none ? "" : " \(flowControl.rawValue)")"
    }

    func problems() -> [String] {
        var found: [String] = []
        if !Self.supportedBauds.contains(baud) { found.append("serial.line.baud \(baud) is not one of \(Self.supportedBauds.map(String.init).joined(separator: ", "))") }
        if !(5...8).contains(dataBits) { found.append("serial.line.dataBits must be 5–8") }
        if !(1...2).contains(stopBits) { found.append("serial.line.stopBits must be 1 or 2") }
        return found
    }
}

/// Where one field sits in a frame: `length` bytes from `offset`, read as a
/// big-endian number, or (`ascii`) as decimal digits (`"03"` → 3).
public struct SerialField: Sendable, Hashable, Codable {
    public var offset: Int
    public var length: Int
    public var ascii: Bool

    public init(offset: Int, length: Int = 1, ascii: Bool = false) {
        self.offset = offset
        self.length = length
        self.ascii = ascii
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case offset, length, ascii }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        offset = try c.decode(Int.self, forKey: .offset)
        length = try c.decodeIfPresent(Int.self, forKey: .length) ?? 1
        ascii = try c.decodeIfPresent(Bool.self, forKey: .ascii) ?? false
    }

    /// The field's value in `frame`, or nil when the frame is too short or
    /// an ASCII field holds something other than digits.
    public func read(_ frame: [UInt8]) -> Int? {
        guard offset >= 0, length >= 1, offset + length <= frame.count else { return nil }
        var value = 0
        for byte in frame[offset..<(offset + length)] {
            if ascii {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            } else {
                value = value << 8 | Int(byte)
            }
        }
        return value
    }
}

/// Polled models: evald sends `frame` to each bound address in turn, waits up
/// to `timeoutMilliseconds` for its answer, and starts the next round
/// `intervalMilliseconds` after the last began. `offlineAfter` unanswered
/// polls in a row make that address (its window's evaluator) offline.
public struct PollSettings: Sendable, Hashable, Codable {
    public var frame: FrameTemplate
    public var intervalMilliseconds: Int
    public var timeoutMilliseconds: Int
    public var offlineAfter: Int

    public static let defaultIntervalMilliseconds = 250

    public init(frame: FrameTemplate, intervalMilliseconds: Int = PollSettings.defaultIntervalMilliseconds,
                timeoutMilliseconds: Int = 100, offlineAfter: Int = 3) {
        self.frame = frame
        self.intervalMilliseconds = intervalMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.offlineAfter = offlineAfter
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case frame, intervalMilliseconds, timeoutMilliseconds, offlineAfter }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        frame = try c.decode(FrameTemplate.self, forKey: .frame)
        intervalMilliseconds = try c.decodeIfPresent(Int.self, forKey: .intervalMilliseconds) ?? Self.defaultIntervalMilliseconds
        timeoutMilliseconds = try c.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds) ?? 100
        offlineAfter = try c.decodeIfPresent(Int.self, forKey: .offlineAfter) ?? 3
    }

    func problems() -> [String] {
        var found: [String] = []
        if intervalMilliseconds < 10 { found.append("serial.poll.intervalMilliseconds must be ≥ 10") }
        if timeoutMilliseconds < 1 { found.append("serial.poll.timeoutMilliseconds must be ≥ 1") }
        if offlineAfter < 1 { found.append("serial.poll.offlineAfter must be ≥ 1") }
        return found
    }
}

/// The frames evald sends for the session's prompts (`invite`, `thanks`,
/// `timeout`), for issue 26's reason step (`reason`), and an optional staff
/// line (`staff`), each a template with its own fixed text.
public struct SerialOutputs: Sendable, Hashable, Codable {
    public var invite: SerialOutput?
    public var thanks: SerialOutput?
    public var timeout: SerialOutput?
    public var reason: SerialOutput?
    public var staff: SerialOutput?

    public init(invite: SerialOutput? = nil, thanks: SerialOutput? = nil, timeout: SerialOutput? = nil,
                reason: SerialOutput? = nil, staff: SerialOutput? = nil) {
        self.invite = invite
        self.thanks = thanks
        self.timeout = timeout
        self.reason = reason
        self.staff = staff
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case invite, thanks, timeout, reason, staff }

    public subscript(_ prompt: CounterPrompt) -> SerialOutput? {
        switch prompt {
        case .invite: invite
        case .thanks: thanks
        case .timeout: timeout
        case .reason: reason
        }
    }

    var all: [(String, FrameTemplate)] {
        [("outputs.invite", invite), ("outputs.thanks", thanks), ("outputs.timeout", timeout), ("outputs.reason", reason), ("outputs.staff", staff)]
            .compactMap { name, output in output.map { (name, $0.frame) } }
    }
}

public struct SerialOutput: Sendable, Hashable, Codable {
    public var frame: FrameTemplate
    /// What `{text}` becomes when the caller gives no text of its own.
    public var text: String?

    public init(frame: FrameTemplate, text: String? = nil) {
        self.frame = frame
        self.text = text
    }
}
