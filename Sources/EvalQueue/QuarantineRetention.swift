import Foundation
import Logging
import Synchronization

/// Damaged queue files moved aside (`<queue>.corrupt-<UTC stamp>`, with their
/// `-wal`/`-shm`) hold every evaluation they held, personal data included:
/// they are kept `quarantineRetention` for the operator to salvage
/// (docs/queue.md), with a warning naming the day they go, then removed.
enum QuarantineRetention {
    struct Found: Equatable {
        var path: String
        var quarantinedAt: Date
    }

    /// The quarantined files beside `queuePath`, the main file of each (its
    /// companions follow it), with the instant its name records.
    static func find(beside queuePath: String) -> [Found] {
        let url = URL(fileURLWithPath: queuePath)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".corrupt-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Found? in
            guard name.hasPrefix(prefix), !name.hasSuffix("-wal"), !name.hasSuffix("-shm") else { return nil }
            guard let at = stampDate(String(name.dropFirst(prefix.count).prefix(16))) else { return nil }
            return Found(path: directory + "/" + name, quarantinedAt: at)
        }.sorted { $0.path < $1.path }
    }

    /// Removes those past `retention`; warns once per process (`warned`) of
    /// each kept one, with its removal day. Returns the files removed.
    static func apply(beside queuePath: String, retention: TimeInterval, now: Date, warned: borrowing Mutex<Set<String>>,
                      logger: Logger) -> [String] {
        var removed: [String] = []
        for file in find(beside: queuePath) {
            let removalAt = file.quarantinedAt.addingTimeInterval(retention)
            if removalAt <= now {
                for suffix in ["-wal", "-shm", ""] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
                if !FileManager.default.fileExists(atPath: file.path) {
                    removed.append(file.path)
                    logger.notice("quarantined queue file \(file.path) removed: past its retention (it held personal data)")
                }
            } else if warned.withLock({ $0.insert(file.path).inserted }) {
                logger.warning("quarantined queue file \(file.path) is kept until \(QueueFile.timestamp(removalAt)), then removed: salvage it before then (docs/queue.md)")
            }
        }
        return removed
    }

    /// `20261129T041503Z` → the instant (`QueueFile.timestamp`'s inverse).
    static func stampDate(_ stamp: String) -> Date? {
        let digits = Array(stamp.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }
}
