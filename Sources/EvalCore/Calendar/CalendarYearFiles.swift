import Foundation

/// The rules for a directory of `<year>.json` files, without the directory:
/// which bytes make a year file (and the warning for those that do not), and
/// how override directories layer over the shipped one. The reading itself is
/// I/O and lives where configuration is loaded (EvalOperator's `CalendarDirectory`).
public enum CalendarYearFiles {
    /// Files larger than this are not calendars.
    public static let maximumFileSize = 256 * 1024

    /// The year file in `data`, read from the file `name`, or the warning that
    /// ignores it (too large, not JSON, the wrong year for its name, unsound).
    public static func yearFile(named name: String, data: Data) -> (file: CalendarYearFile?, warning: String?) {
        guard data.count <= maximumFileSize else {
            return (nil, "calendar file \(name) ignored: larger than \(maximumFileSize) bytes")
        }
        let file: CalendarYearFile
        do {
            file = try JSONDecoder().decode(CalendarYearFile.self, from: data)
        } catch {
            return (nil, "calendar file \(name) ignored: \(error)")
        }
        if String(file.year) + ".json" != name {
            return (nil, "calendar file \(name) ignored: it describes year \(file.year)")
        }
        let problems = file.problems
        guard problems.isEmpty else {
            return (nil, "calendar file \(name) ignored: " + problems.joined(separator: "; "))
        }
        return (file, nil)
    }

    /// The shipped years (nil: their directory was unreadable), then each
    /// override directory's in turn, a year there replacing the same year
    /// before it. Nothing at all: Monday–Friday.
    public static func layered(shipped: [CalendarYearFile]?, overrides: [[CalendarYearFile]]) -> WorkingDayCalendar {
        var byYear = Dictionary((shipped ?? []).map { ($0.year, $0) }, uniquingKeysWith: { _, last in last })
        for local in overrides {
            for file in local { byYear[file.year] = file }
        }
        if shipped == nil && byYear.isEmpty { return .mondayToFriday }
        return WorkingDayCalendar(years: byYear.values.sorted { $0.year < $1.year })
    }
}
