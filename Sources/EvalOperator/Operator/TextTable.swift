/// A plain-text table for evalctl that lines up Chinese text (CJK characters
/// take two terminal columns) and fits a terminal width: it leaves out the
/// columns marked optional, least wanted first, then shortens the last
/// column with "…". A wrapped table is unreadable at 80×24; `--wide` asks
/// for every column whatever the width.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Column indices that may be left out to fit, the first one first.
    public var optional: [Int]

    public init(header: [String], rows: [[String]], optional: [Int] = []) {
        self.header = header
        self.rows = rows
        self.optional = optional
    }

    /// The table in at most `width` columns (nil: however wide it is). Every
    /// cell is `TerminalText.escaped`: cells hold device names, platform
    /// reasons and scanned text.
    public func render(width: Int? = nil) -> String {
        let all = ([header] + rows).map { $0.map(TerminalText.escaped) }
        let header = all[0], rows = all.dropFirst()
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) }
        }
        var shown = Array(header.indices)
        func total() -> Int { shown.map { widths[$0] }.reduce(0, +) + 2 * max(0, shown.count - 1) }
        if let width {
            for column in optional where total() > width && shown.count > 1 { shown.removeAll { $0 == column } }
            if let last = shown.last, total() > width {
                // Shorten the last column, but never below its heading.
                widths[last] = max(Self.width(header[last]), widths[last] - (total() - width))
            }
        }
        func line(_ row: [String]) -> String {
            shown.enumerated().map { position, column in
                let cell = column < row.count ? Self.truncate(row[column], to: widths[column]) : ""
                return position == shown.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - Self.width(cell))
            }.joined(separator: "  ")
        }
        var out = line(header) + "\n"
        out += shown.map { String(repeating: "-", count: widths[$0]) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// `text` cut to `columns` terminal columns, ending in "…" when cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard width(text) > columns else { return text }
        guard columns > 0 else { return "" }
        var out = ""
        var used = 0
        for character in text {
            let w = width(String(character))
            if used + w > columns - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// Terminal columns of `text`: wide (2) for CJK and full-width forms.
    public static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            let zero = (0x0300...0x036F).contains(v) || v == 0x200B || v == 0xFEFF
            return total + (zero ? 0 : wide ? 2 : 1)
        }
    }
}
