/// How a serial evaluator's byte stream is cut into frames.
///
/// JSON: `{"kind": "fixed", "length": 5, "header": "AA"}`,
/// `{"kind": "delimiter", "end": "0D", "header": "02", "maxLength": 32}`,
/// `{"kind": "header-length", "header": "AA 55", "lengthOffset": 2, "lengthAdjust": 5}`
/// (the whole frame is the byte at `lengthOffset` + `lengthAdjust` bytes), or
/// `{"kind": "line", "maxLength": 64}` (ASCII text ending in LF, a CR before it dropped).
public enum SerialFraming: Sendable, Hashable, Codable {
    case fixed(length: Int, header: [UInt8])
    case delimiter(end: [UInt8], header: [UInt8], maxLength: Int)
    case headerLength(header: [UInt8], lengthOffset: Int, lengthAdjust: Int)
    case line(maxLength: Int)

    /// The bytes a frame starts with (empty: any byte may start one).
    public var header: [UInt8] {
        switch self {
        case .fixed(_, let header), .delimiter(_, let header, _), .headerLength(let header, _, _): header
        case .line: []
        }
    }

    /// No frame is longer: a partial frame past it is garbage.
    public var maxLength: Int {
        switch self {
        case .fixed(let length, _): length
        case .delimiter(_, _, let maxLength), .line(let maxLength): maxLength
        case .headerLength(_, let lengthOffset, let lengthAdjust): max(lengthOffset + 1, 255 + lengthAdjust)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, length, header, end, maxLength, lengthOffset, lengthAdjust }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys) throws -> [UInt8]? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let parsed = Hex.parseBytes(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected hex bytes such as \"AA 55\", got \(text)")
            }
            return parsed
        }
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "fixed":
            self = .fixed(length: try c.decode(Int.self, forKey: .length), header: try bytes(.header) ?? [])
        case "delimiter":
            guard let end = try bytes(.end), !end.isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: .end, in: c, debugDescription: "a delimiter framing needs \"end\" bytes")
            }
            self = .delimiter(end: end, header: try bytes(.header) ?? [], maxLength: try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? 64)
        case "header-length":
            self = .headerLength(header: try bytes(.header) ?? [], lengthOffset: try c.decode(Int.self, forKey: .lengthOffset),
                                 lengthAdjust: try c.decodeIfPresent(Int.self, forKey: .lengthAdjust) ?? 0)
        case "line":
            self = .line(maxLength: try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? 64)
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "framing kind \"\(kind)\" is not fixed, delimiter, header-length or line")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func spaced(_ bytes: [UInt8]) -> String { bytes.map(Hex.byte).joined(separator: " ") }
        switch self {
        case .fixed(let length, let header):
            try c.encode("fixed", forKey: .kind)
            try c.encode(length, forKey: .length)
            if !header.isEmpty { try c.encode(spaced(header), forKey: .header) }
        case .delimiter(let end, let header, let maxLength):
            try c.encode("delimiter", forKey: .kind)
            try c.encode(spaced(end), forKey: .end)
            if !header.isEmpty { try c.encode(spaced(header), forKey: .header) }
            try c.encode(maxLength, forKey: .maxLength)
        case .headerLength(let header, let lengthOffset, let lengthAdjust):
            try c.encode("header-length", forKey: .kind)
            try c.encode(spaced(header), forKey: .header)
            try c.encode(lengthOffset, forKey: .lengthOffset)
            try c.encode(lengthAdjust, forKey: .lengthAdjust)
        case .line(let maxLength):
            try c.encode("line", forKey: .kind)
            try c.encode(maxLength, forKey: .maxLength)
        }
    }

    func problems() -> [String] {
        var found: [String] = []
        switch self {
        case .fixed(let length, let header):
            if !(1...256).contains(length) { found.append("serial.framing.length must be 1–256") }
            if header.count >= length { found.append("serial.framing.header is as long as the whole frame") }
        case .delimiter(_, let header, let maxLength):
            if !(2...1024).contains(maxLength) { found.append("serial.framing.maxLength must be 2–1024") }
            if header.count >= maxLength { found.append("serial.framing.header is longer than maxLength") }
        case .headerLength(let header, let lengthOffset, let lengthAdjust):
            if header.isEmpty { found.append("serial.framing: header-length framing needs a \"header\" to resynchronise on") }
            if lengthOffset < header.count { found.append("serial.framing.lengthOffset \(lengthOffset) is inside the header") }
            if lengthAdjust < 0 || lengthAdjust > 64 { found.append("serial.framing.lengthAdjust must be 0–64") }
        case .line(let maxLength):
            if !(2...1024).contains(maxLength) { found.append("serial.framing.maxLength must be 2–1024") }
        }
        return found
    }
}

/// A frame's check value: none, the 8-bit sum or XOR, or CRC-16/MODBUS
/// (low byte first, as MODBUS RTU sends it), over the bytes from `from` up
/// to the check itself, which sits `at` bytes from the frame's end (-1: the
/// last byte; -2 for a CRC, or for an 8-bit check before a trailer byte).
public struct SerialChecksum: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case none, sum8, xor8
        case crc16Modbus = "crc16-modbus"

        public var width: Int {
            switch self {
            case .none: 0
            case .sum8, .xor8: 1
            case .crc16Modbus: 2
            }
        }
    }

    public var kind: Kind
    public var from: Int
    public var at: Int

    public init(kind: Kind = .none, from: Int = 0, at: Int? = nil) {
        self.kind = kind
        self.from = from
        self.at = at ?? -kind.width
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, from, at }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .none
        self.init(kind: kind, from: try c.decodeIfPresent(Int.self, forKey: .from) ?? 0, at: try c.decodeIfPresent(Int.self, forKey: .at))
    }

    /// The check bytes of `bytes` (all of them), as they go on the wire.
    public static func compute(_ kind: Kind, over bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch kind {
        case .none: return []
        case .sum8: return [bytes.reduce(0, &+)]
        case .xor8: return [bytes.reduce(0, ^)]
        case .crc16Modbus:
            var crc: UInt16 = 0xFFFF
            for byte in bytes {
                crc ^= UInt16(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
            }
            return [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        }
    }

    /// Whether `frame` carries the right check; true when there is none.
    /// A frame too short to hold its checked range fails.
    public func verify(_ frame: [UInt8]) -> Bool {
        guard kind != .none else { return true }
        let position = frame.count + at
        guard from >= 0, position >= from, position + kind.width <= frame.count else { return false }
        return Array(frame[position..<(position + kind.width)]) == Self.compute(kind, over: frame[from..<position])
    }
}
