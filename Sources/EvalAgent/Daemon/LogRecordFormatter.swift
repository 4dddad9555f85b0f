#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging

/// Turns one log record into exactly one line: no byte of a message or a
/// metadata value can end the record early (NUL, newline), reorder what a
/// reader sees (U+202E and the other bidi controls) or flood the journal (each
/// field is capped). Pure, so the tests need no stderr.
public enum LogRecordFormatter {
    /// The most bytes of one field (the message or one metadata value) kept.
    public static let fieldCap = 1024

    /// `<N>label: message key=value …` (the `<N>` prefix only when asked).
    public static func line(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
        priorityPrefix: Bool, cap: Int = fieldCap
    ) -> String {
        var line = priorityPrefix ? "<\(JournaldLogHandler.priority(of: level))>" : ""
        line += escape(label, cap: cap) + ": " + escape(message, cap: cap)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + escape(key, cap: cap) + "=" + escape("\(value)", cap: cap)
        }
        return line + "\n"
    }

    /// `text` with every control character written as an escape (`\n`, `\x00`,
    /// `\u{202E}`), cut after `cap` bytes with a `…(N bytes)` marker giving
    /// the field's original size.
    public static func escape(_ text: String, cap: Int = fieldCap) -> String {
        var out = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            let piece = escaped(scalar)
            let size = piece.utf8.count
            if kept + size > cap {
                return out + "…(\(text.utf8.count) bytes)"
            }
            out += piece
            kept += size
        }
        return out
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x5C: return "\\\\"
        case 0x00...0x1F, 0x7F...0x9F: return "\\x" + hex(scalar.value, width: 2)
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0xFEFF:
            return "\\u{" + hex(scalar.value, width: 4) + "}"
        default: return String(scalar)
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Whether stderr is connected to the journal: systemd sets `JOURNAL_STREAM`
/// to `<device>:<inode>` of the stream it hands the service (systemd.exec(5)).
/// A terminal, a pipe or a file gets no `<N>` prefixes.
public enum JournalStream {
    public static func isStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
