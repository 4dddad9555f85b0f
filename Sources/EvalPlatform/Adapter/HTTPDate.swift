import EvalCore
import Foundation

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the form of
/// `Date` and `Retry-After` headers. Hand-parsed: no DateFormatter locale traps.
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT",
              let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2]) else { return nil }
        // The civil-date arithmetic is EvalCore's (`CivilDate`), one copy.
        let daysSinceEpoch = CivilDate(year: year, month: monthIndex + 1, day: day).daysSinceEpoch
        return Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]))
    }

    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let daysSinceEpoch = Int((Double(total) / 86_400).rounded(.down))
        let second = total - daysSinceEpoch * 86_400
        let civil = CivilDate(daysSinceEpoch: daysSinceEpoch)
        let (year, m, d) = (civil.year, civil.month, civil.day)
        let weekday = days[((daysSinceEpoch + 3) % 7 + 7) % 7]
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(pad(d)) \(months[m - 1]) \(year) \(pad(second / 3600)):\(pad(second % 3600 / 60)):\(pad(second % 60)) GMT"
    }
}
