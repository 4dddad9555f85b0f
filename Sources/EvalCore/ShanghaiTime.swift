import Foundation

/// China Standard Time: UTC+8 all year (no daylight saving since 1991), so a
/// fixed offset is exact and avoids DateFormatter's cost and thread-safety
/// questions on the hot path.
public enum ShanghaiTime {
    public static let offsetSeconds = 8 * 3600

    /// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai.
    public static func format(_ date: Date) -> String {
        let c = components(date)
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day)) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
    }

    /// Parses `yyyy-MM-dd HH:mm:ss` as Asia/Shanghai wall time.
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0) }
        guard parts.count == 6, text.count == 19, parts.allSatisfy({ $0 != nil }) else { return nil }
        let p = parts.map { $0! }
        guard (1...12).contains(p[1]), (1...31).contains(p[2]), (0...23).contains(p[3]),
              (0...59).contains(p[4]), (0...59).contains(p[5]) else { return nil }
        let day = CivilDate(year: p[0], month: p[1], day: p[2])
        guard day.isValid else { return nil }
        let seconds = day.daysSinceEpoch * 86_400 + p[3] * 3600 + p[4] * 60 + p[5] - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public struct Components: Equatable, Sendable {
        public var year, month, day, hour, minute, second: Int
    }

    public static func components(_ date: Date) -> Components {
        let total = Int((date.timeIntervalSince1970).rounded(.down)) + offsetSeconds
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondOfDay = total - days * 86_400
        let civil = CivilDate(daysSinceEpoch: days)
        return Components(year: civil.year, month: civil.month, day: civil.day,
                          hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    /// The calendar day in Asia/Shanghai on which `date` falls.
    public static func civilDate(_ date: Date) -> CivilDate {
        let c = components(date)
        return CivilDate(year: c.year, month: c.month, day: c.day)
    }

    /// Midnight at the start of `day`, Asia/Shanghai.
    public static func startOfDay(_ day: CivilDate) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 - offsetSeconds))
    }
}

/// A calendar date with no time zone: the unit of the working-day calendar.
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
        guard isValid else { return nil }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return CivilDate(daysSinceEpoch: daysSinceEpoch) == self
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601). 1970-01-01 was a Thursday.
    public var isoWeekday: Int {
        let d = daysSinceEpoch
        return ((d + 3) % 7 + 7) % 7 + 1
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public var description: String {
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(pad(month))-\(pad(day))"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a yyyy-MM-dd date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
