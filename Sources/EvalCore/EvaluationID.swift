import Foundation

/// The idempotency key of one evaluation, end to end: made once by the agent,
/// stored UNIQUE in the queue, and sent on every retry so that the platform
/// answers `duplicate` instead of counting twice.
///
/// It is a UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits,
/// so ids sort by creation time and an index on them stays append-only.
public struct EvaluationID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    /// A new UUIDv7 for the given instant.
    public static func make(at date: Date = Date()) -> EvaluationID {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    public static func make(at date: Date, using generator: inout some RandomNumberGenerator) -> EvaluationID {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let randA = generator.next() as UInt64
        let randB = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - i))) }
        for i in 6..<16 { bytes[i] = UInt8(truncatingIfNeeded: (i < 8 ? randA : randB) >> (8 * (i % 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
        return EvaluationID(uuid: uuid)
    }

    /// The creation instant encoded in a UUIDv7 (nil for other versions).
    public var timestamp: Date? {
        let b = uuid.uuid
        guard b.6 >> 4 == 7 else { return nil }
        let parts: [UInt8] = [b.0, b.1, b.2, b.3, b.4, b.5]
        let millis = parts.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Lowercase canonical form, as stored and sent.
    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: EvaluationID, rhs: EvaluationID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        guard let id = EvaluationID(string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID: \(string)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
