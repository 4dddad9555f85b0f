/// Finds the line of a section header or key in the TOML text.
///
/// TOMLKit reports positions only for syntax errors, so for semantic errors
/// ("base_url is not a URL") we locate the key ourselves: good enough for
/// hand-written configuration files, which is what evald.toml is.
struct TOMLLineLocator {
    private let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The line of `[section]` (or the `index`-th `[[section]]`), 1-based.
    func header(_ section: String, index: Int? = nil) -> Int? {
        var seen = 0
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let index {
                guard headerName(line, double: true) == section else { continue }
                if seen == index { return number + 1 }
                seen += 1
            } else if headerName(line, double: false) == section {
                return number + 1
            }
        }
        return nil
    }

    /// The line of `key = …` inside the given section (nil section: top level).
    func key(_ key: String, section: String?, index: Int? = nil) -> Int? {
        let start: Int
        if let section {
            guard let headerLine = header(section, index: index) else { return nil }
            start = headerLine  // 0-based index of the line after the header
        } else {
            start = 0
        }
        var number = start
        while number < lines.count {
            let line = lines[number].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { return nil }
            if let eq = line.firstIndex(of: "=") {
                let name = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                if name == key { return number + 1 }
            }
            number += 1
        }
        return nil
    }

    private func headerName(_ line: String, double: Bool) -> String? {
        let open = double ? "[[" : "["
        let close = double ? "]]" : "]"
        guard line.hasPrefix(open) else { return nil }
        if !double && line.hasPrefix("[[") { return nil }
        let afterOpen = line.dropFirst(open.count)
        guard let end = afterOpen.range(of: close) else { return nil }
        return afterOpen[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
