#if canImport(Glibc)
import Glibc
#endif
import EvalOperator
import Foundation

/// What evalctl knows about where its output goes.
enum Terminal {
    /// The width tables fit: `COLUMNS` when set (scripts and tests choose),
    /// else the terminal's (TIOCGWINSZ on stdout), else 80 — a pipe or a
    /// file gets the width a report is read at, not an unbounded line.
    static var columns: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 { return value }
        var size = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Colour only for a person at a terminal, and never when `NO_COLOR` is
    /// set to anything (https://no-color.org) or the terminal is `dumb`.
    static var colour: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }

    /// `line` broken at spaces to fit `width` display columns (a Chinese
    /// character counts two), each continuation indented by `indent`: a
    /// status line says its remedy in full and still fits the technician's
    /// 80-column console. A word wider than the room (a path) stays whole.
    static func wrap(_ line: String, width: Int, indent: Int) -> [String] {
        let margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        var prefix = ""
        var rest = Substring(line)
        while TextTable.width(prefix + rest) > width {
            // The last space after some text at which the line still fits.
            var used = TextTable.width(prefix)
            var breakAt: Substring.Index?
            var seenText = false
            for index in rest.indices {
                used += TextTable.width(String(rest[index]))
                if used > width { break }
                if rest[index] != " " { seenText = true } else if seenText { breakAt = index }
            }
            guard let at = breakAt else { break }
            lines.append(prefix + String(rest[..<at]).replacingOccurrences(of: " +$", with: "", options: .regularExpression))
            rest = rest[at...].drop { $0 == " " }
            prefix = margin
        }
        lines.append(prefix + rest)
        return lines
    }

    /// `text` in bold red when colour is on (a bad review in `tail -f`).
    static func alarm(_ text: String, colour: Bool) -> String {
        colour ? "\u{1B}[1;31m" + text + "\u{1B}[0m" : text
    }
}
