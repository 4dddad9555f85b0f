import Foundation

/// Every configuration section and key the documentation shows, with where:
/// TOML in code blocks and in docs/examples/*.toml, the key tables under a
/// `## [section]` heading (docs/configuration.md), and inline mentions such
/// as `[platform] base_url`. Read with regular expressions rather than a TOML
/// parser on purpose: a documented fragment need not be a whole valid file.
struct DocumentedConfiguration {
    struct Mention: CustomStringConvertible {
        var section: String
        /// Nil when only the section is named.
        var key: String?
        var file: String
        var line: Int
        var description: String { "\(file):\(line): [\(section)]\(key.map { " \($0)" } ?? "")" }
    }

    private(set) var mentions: [Mention] = []

    init(repository: URL) throws {
        let docs = repository.appendingPathComponent("docs")
        let files = try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted()
        for name in files where name.hasSuffix(".md") {
            let text = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            readMarkdown(text, file: "docs/\(name)")
        }
        let examples = docs.appendingPathComponent("examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".toml") {
            let text = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
            readTOML(text.components(separatedBy: "\n").enumerated().map { ($0 + 1, $1) }, file: "docs/examples/\(name)")
        }
    }

    // Computed, not stored: a Regex is not Sendable, so a static one is not concurrency-safe.
    // `[section]`, `[[section]]`, `[a.b]` alone on a line (a comment may follow).
    private static var header: Regex<(Substring, Substring, Substring?)> { /^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$/ }
    // `key = value`, with spaces around `=` as TOML is written (a shell `A=b` is not matched).
    private static var assignment: Regex<(Substring, Substring)> { /^\s*("?[A-Za-z0-9_\-]+"?)\s+=\s/ }
    // A backticked `[section]` or `[section] key` in prose.
    private static var inline: Regex<(Substring, Substring, Substring?)> { /`\[\[?([a-z_][a-z0-9_.]*)\]\]?(?:\s+([a-z_][a-z0-9_]*))?[^`]*`/ }
    // A `## [section]` heading of a key table.
    private static var tableHeading: Regex<(Substring, Substring)> { /^#+\s+`\[\[?([a-z_][a-z0-9_.]*)\]\]?`/ }
    // A key-table row: `| `key`, `key2` | …`.
    private static var keyRow: Regex<(Substring, Substring)> { /^\|\s*(`[^|]*`)\s*\|/ }

    private mutating func readMarkdown(_ text: String, file: String) {
        var block: [(Int, String)]?
        var blockLanguage = ""
        var tableSection: String?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let number = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if let lines = block {
                    // Untagged blocks are TOML when they hold a header or `key = value`; tagged ones only when `toml`.
                    if blockLanguage == "toml" || (blockLanguage.isEmpty && lines.contains(where: { Self.looksLikeTOML($0.1) })) {
                        readTOML(lines, file: file)
                    }
                    block = nil
                } else {
                    block = []
                    blockLanguage = String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            if block != nil {
                block!.append((number, line))
                continue
            }
            if let heading = line.firstMatch(of: Self.tableHeading) {
                tableSection = String(heading.1)
                mentions.append(Mention(section: String(heading.1), file: file, line: number))
            } else if line.hasPrefix("#") {
                tableSection = nil
            } else if let section = tableSection, let row = line.firstMatch(of: Self.keyRow) {
                for name in row.1.matches(of: /`([^`]+)`/).map({ String($0.1) }) {
                    if let nested = name.firstMatch(of: /^\[([a-z_.]+)\]$/) {
                        mentions.append(Mention(section: String(nested.1), file: file, line: number))
                    } else if name != "key" {
                        mentions.append(Mention(section: section, key: name, file: file, line: number))
                    }
                }
                continue
            }
            for match in line.matches(of: Self.inline) {
                mentions.append(Mention(section: String(match.1), key: match.2.map(String.init), file: file, line: number))
            }
        }
    }

    private static func looksLikeTOML(_ line: String) -> Bool {
        line.firstMatch(of: header) != nil || line.firstMatch(of: assignment) != nil
    }

    /// Keys belong to the last header; before any header, to the top level.
    /// An inline table value (`staff = [{ login_name = … }]`) names the
    /// nested keys of `section.key`.
    private mutating func readTOML(_ lines: [(Int, String)], file: String) {
        var section = ""
        for (number, line) in lines {
            if let header = line.firstMatch(of: Self.header) {
                section = String(header.1)
                mentions.append(Mention(section: section, file: file, line: number))
            } else if let assignment = line.firstMatch(of: Self.assignment) {
                let key = String(assignment.1).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                mentions.append(Mention(section: section, key: key, file: file, line: number))
                let value = line[assignment.range.upperBound...]
                for nested in value.matches(of: /\{\s*([a-z_]+)\s*=|,\s*([a-z_]+)\s*=/) {
                    let name = String(nested.1 ?? nested.2!)
                    mentions.append(Mention(section: section.isEmpty ? key : "\(section).\(key)", key: name, file: file, line: number))
                }
            }
        }
    }
}
