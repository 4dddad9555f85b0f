import Foundation

/// Reads `<year>.json` files from a directory into a `WorkingDayCalendar`.
///
/// The only file access in the calendar: it happens once at start-up, and each
/// bad file becomes a warning (the year then falls back to Monday–Friday)
/// instead of stopping the agent.
public enum CalendarDirectory {
    public struct Loaded: Sendable {
        public var calendar: WorkingDayCalendar
        /// Human-readable problems, one per file, for the caller's logger.
        public var warnings: [String]
    }

    /// Files larger than this are not calendars.
    static let maximumFileSize = 256 * 1024

    public static func load(from directory: URL) -> Loaded {
        load(from: directory, overrides: [])
    }

    /// The shipped calendars, then each override directory (e.g.
    /// `/etc/evald/calendars`) in turn: a `<year>.json` there replaces the
    /// same year's shipped file, so next year's notice is added without
    /// writing under /usr. An override directory that does not exist is fine.
    public static func load(from directory: URL, overrides: [URL]) -> Loaded {
        let (shipped, shippedWarnings) = read(directory)
        var warnings = shippedWarnings
        var byYear = Dictionary((shipped ?? []).map { ($0.year, $0) }, uniquingKeysWith: { _, last in last })
        for override in overrides where FileManager.default.fileExists(atPath: override.path) {
            let (local, localWarnings) = read(override)
            warnings += localWarnings
            for file in local ?? [] { byYear[file.year] = file }
        }
        if shipped == nil && byYear.isEmpty { return Loaded(calendar: .mondayToFriday, warnings: warnings) }
        return Loaded(calendar: WorkingDayCalendar(years: byYear.values.sorted { $0.year < $1.year }), warnings: warnings)
    }

    /// The valid year files of one directory (nil: unreadable), with a warning per problem.
    static func read(_ directory: URL) -> ([CalendarYearFile]?, [String]) {
        var warnings: [String] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            return (nil, ["calendar directory \(directory.path) unreadable (\(error)); every year falls back to Monday–Friday"])
        }
        var files: [CalendarYearFile] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            do {
                let data = try Data(contentsOf: url)
                guard data.count <= maximumFileSize else {
                    warnings.append("calendar file \(name) ignored: larger than \(maximumFileSize) bytes")
                    continue
                }
                let file = try JSONDecoder().decode(CalendarYearFile.self, from: data)
                if String(file.year) + ".json" != name {
                    warnings.append("calendar file \(name) ignored: it describes year \(file.year)")
                    continue
                }
                let problems = file.problems
                guard problems.isEmpty else {
                    warnings.append("calendar file \(name) ignored: " + problems.joined(separator: "; "))
                    continue
                }
                files.append(file)
            } catch {
                warnings.append("calendar file \(name) ignored: \(error)")
            }
        }
        return (files, warnings)
    }
}
