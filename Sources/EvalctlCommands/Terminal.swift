#if canImport(Glibc)
import Glibc
#endif
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

    /// `text` in bold red when colour is on (a bad review in `tail -f`).
    static func alarm(_ text: String, colour: Bool) -> String {
        colour ? "\u{1B}[1;31m" + text + "\u{1B}[0m" : text
    }
}
