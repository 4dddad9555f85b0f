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
        func time(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: millis >> (8 * (5 - i))) }
        func random(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: (i < 8 ? randA : randB) >> (8 * (i % 8))) }
        // Built as the tuple itself: this runs for every press.
        let uuid = UUID(uuid: (
            time(0), time(1), time(2), time(3), time(4), time(5),
            (random(6) & 0x0F) | 0x70, random(7),   // version 7
            (random(8) & 0x3F) | 0x80, random(9),   // RFC 9562 variant
            random(10), random(11), random(12), random(13), random(14), random(15)
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

    /// Lowercase canonical form, as stored and sent: written digit by digit.
    /// Foundation's `uuidString` formats through printf and `lowercased()`
    /// copies it again; this string is made several times per evaluation
    /// (its row, its ledger rows, the wire), a tenth of a case scan's CPU.
    public var description: String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = Self.hexDigit(byte >> 4)
                    text[at + 1] = Self.hexDigit(byte & 0x0F)
                    at += 2
                }
                return at
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10 }

    /// The order of `description`: lowercase hex at fixed places sorts as the bytes do.
    public static func < (lhs: EvaluationID, rhs: EvaluationID) -> Bool {
        withUnsafeBytes(of: lhs.uuid.uuid) { left in
            withUnsafeBytes(of: rhs.uuid.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }

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
