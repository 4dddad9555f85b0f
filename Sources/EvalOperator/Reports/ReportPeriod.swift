import EvalCore
import Foundation

/// The days a 通报 covers, inclusive, and the period it is compared with.
public struct ReportPeriod: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case month, quarter, year, days }

    public var kind: Kind
    public var from: CivilDate
    public var to: CivilDate

    public init(kind: Kind = .days, from: CivilDate, to: CivilDate) {
        self.kind = kind
        self.from = from
        self.to = to
    }

    /// `2026-11`.
    public static func month(_ text: String) -> ReportPeriod? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        return Self.month(year: year, month: month)
    }

    public static func month(year: Int, month: Int) -> ReportPeriod {
        let first = CivilDate(year: year, month: month, day: 1)
        let next = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
        return ReportPeriod(kind: .month, from: first, to: next.adding(days: -1))
    }

    /// `2026Q4` (or `2026-Q4`).
    public static func quarter(_ text: String) -> ReportPeriod? {
        let upper = text.uppercased().replacingOccurrences(of: "-", with: "")
        let parts = upper.split(separator: "Q")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let q = Int(parts[1]), (1...4).contains(q) else { return nil }
        return quarter(year: year, quarter: q)
    }

    public static func quarter(year: Int, quarter: Int) -> ReportPeriod {
        let first = month(year: year, month: 3 * quarter - 2)
        let last = month(year: year, month: 3 * quarter)
        return ReportPeriod(kind: .quarter, from: first.from, to: last.to)
    }

    public static func year(_ year: Int) -> ReportPeriod {
        ReportPeriod(kind: .year, from: CivilDate(year: year, month: 1, day: 1), to: CivilDate(year: year, month: 12, day: 31))
    }

    public var days: Int { to.daysSinceEpoch - from.daysSinceEpoch + 1 }

    public func contains(_ day: CivilDate) -> Bool { from <= day && day <= to }

    /// The period before: the month, quarter or year before, or as many days just before.
    public var previous: ReportPeriod {
        switch kind {
        case .month:
            return from.month == 1 ? Self.month(year: from.year - 1, month: 12) : Self.month(year: from.year, month: from.month - 1)
        case .quarter:
            let q = (from.month - 1) / 3 + 1
            return q == 1 ? Self.quarter(year: from.year - 1, quarter: 4) : Self.quarter(year: from.year, quarter: q - 1)
        case .year:
            return Self.year(from.year - 1)
        case .days:
            return ReportPeriod(kind: .days, from: from.adding(days: -days), to: from.adding(days: -1))
        }
    }

    /// `2026-11`, `2026Q4`, `2026`, or `2026-11-01…2026-11-15`.
    public var label: String {
        switch kind {
        case .month: String(from.description.prefix(7))
        case .quarter: "\(from.year)Q\((from.month - 1) / 3 + 1)"
        case .year: "\(from.year)"
        case .days: "\(from)…\(to)"
        }
    }
}
