import EvalCore
import Foundation

/// Reads `<year>.json` files from a directory into a `WorkingDayCalendar`.
///
/// The only file access in the calendar: it happens once at start-up, and each
/// bad file becomes a warning (the year then falls back to Monday–Friday)
/// instead of stopping the agent. What a good file is, and how directories
/// layer, is EvalCore's `CalendarYearFiles`.
public enum CalendarDirectory {
    public struct Loaded: Sendable {
        public var calendar: WorkingDayCalendar
        /// Human-readable problems, one per file, for the caller's logger.
        public var warnings: [String]
    }

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
        var locals: [[CalendarYearFile]] = []
        for override in overrides where FileManager.default.fileExists(atPath: override.path) {
            let (local, localWarnings) = read(override)
            warnings += localWarnings
            locals.append(local ?? [])
        }
        return Loaded(calendar: CalendarYearFiles.layered(shipped: shipped, overrides: locals), warnings: warnings)
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
            let data: Data
            do {
                data = try Data(contentsOf: directory.appendingPathComponent(name))
            } catch {
                warnings.append("calendar file \(name) ignored: \(error)")
                continue
            }
            let (file, warning) = CalendarYearFiles.yearFile(named: name, data: data)
            if let warning { warnings.append(warning) }
            if let file { files.append(file) }
        }
        return (files, warnings)
    }
}
