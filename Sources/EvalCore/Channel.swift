/// The channel (`pf`) an evaluation came through.
///
/// Only 1–5 are common to every province; 6 and 7 (phone, SMS, default) differ,
/// so the code is an open integer and the adapter may remap it by configuration.
public struct Channel: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let pc = Channel(rawValue: 1)
    public static let mobile = Channel(rawValue: 2)
    public static let qrCode = Channel(rawValue: 3)
    public static let hallTablet = Channel(rawValue: 4)
    /// A counter keypad is an "other hall terminal": the default for evald.
    public static let otherHallTerminal = Channel(rawValue: 5)

    public var description: String { "pf=\(rawValue)" }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
