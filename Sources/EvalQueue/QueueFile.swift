import Foundation
import Logging

/// Opening the queue file for the daemon: pragmas, integrity check, schema,
/// crash recovery, and moving a damaged file aside.
enum QueueFile {
    /// Opens (creating if needed) the write connection. A corrupt or unreadable
    /// file is renamed to `<name>.corrupt-<timestamp>` with its `-wal`/`-shm`,
    /// never deleted, and a fresh queue starts in its place (docs/queue.md
    /// explains how to salvage records from the old file).
    /// Returns the connection and, when the old file was moved aside, where to.
    static func openWriter(path: String, now: Date, logger: Logger) throws -> (connection: Connection, quarantined: String?) {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        do {
            return (try openChecked(path: path), nil)
        } catch let damage as DamagedQueueFile {
            let moved = try quarantine(path: path, now: now)
            logger.critical(
                "queue file is damaged (\(damage.reason)); moved it aside to \(moved) and started an empty queue. Salvage its records as docs/queue.md describes.",
                metadata: ["path": "\(path)", "movedTo": "\(moved)"])
            return (try openChecked(path: path), moved)
        }
    }

    private struct DamagedQueueFile: Error {
        let reason: String
    }

    private static func openChecked(path: String) throws -> Connection {
        do {
            let connection = try Connection(path: path)
            // Reading the header happens here: "file is not a database" surfaces now.
            let mode = try connection.scalar("PRAGMA journal_mode = WAL", as: String.self)
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLiteError.ioError, extendedCode: SQLiteError.ioError,
                                  message: "could not switch to WAL (journal_mode=\(mode ?? "nil"))", sql: nil)
            }
            try connection.execute("PRAGMA synchronous = FULL")
            // Bound the WAL file after a burst (bytes kept after a checkpoint).
            try connection.execute("PRAGMA journal_size_limit = 67108864")
            // 4 MiB page cache (SQLite's default is 2 MiB). Measured with
            // `evald-bench queue` (docs/benchmarks.md): 16 MiB bought nothing
            // over 4 MiB (23–24 µs CPU per enqueue at 64 producers, ~25 000
            // claim+settle/s, both) but cost ~19 MB of RSS once the open-time
            // quick_check had filled it; 2 MiB cost ~2 µs more per enqueue.
            try connection.execute("PRAGMA cache_size = -4096")
            let check = try connection.prepare("PRAGMA quick_check").rows { $0.column(0, as: String.self) ?? "" }
            guard check == ["ok"] else {
                throw DamagedQueueFile(reason: "quick_check: " + check.prefix(3).joined(separator: "; "))
            }
            // quick_check reads every page: hand the cache it filled back to the
            // allocator instead of carrying a full cache of cold pages.
            try connection.execute("PRAGMA shrink_memory")
            try connection.migrate(Schema.all)
            return connection
        } catch let error as SQLiteError where error.isCorruption {
            throw DamagedQueueFile(reason: error.message)
        }
    }

    /// Renames the file and its companions; returns the new path of the main file.
    static func quarantine(path: String, now: Date) throws -> String {
        let stamp = timestamp(now)
        var target = "\(path).corrupt-\(stamp)"
        var counter = 1
        let files = FileManager.default
        while files.fileExists(atPath: target) {
            counter += 1
            target = "\(path).corrupt-\(stamp)-\(counter)"
        }
        // The WAL first: were we to crash half-way, a fresh database must never
        // find the damaged file's WAL next to it and replay it.
        for suffix in ["-wal", "-shm", ""] where files.fileExists(atPath: path + suffix) {
            try files.moveItem(atPath: path + suffix, toPath: target + suffix)
        }
        return target
    }

    /// `20261129T041503Z`: sorts by time and is safe in a file name.
    static func timestamp(_ date: Date) -> String {
        let c = UTCFields.components(date)
        func pad(_ v: Int, _ w: Int = 2) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return "\(pad(c.year, 4))\(pad(c.month))\(pad(c.day))T\(pad(c.hour))\(pad(c.minute))\(pad(c.second))Z"
    }
}

/// UTC calendar fields without DateFormatter.
private enum UTCFields {
    static func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
