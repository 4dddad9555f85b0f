import EvalTesting
import Foundation

/// The keys docs/cli-json.md documents for one verb: the first column of
/// the table under its `## ` heading, one or more backticked names per cell
/// (`queue.pending`, `devices.list[]`).
struct CLIJSONDocument {
    let sections: [String: Set<String>]

    init() throws {
        let text = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("docs/cli-json.md"), encoding: .utf8)
        var sections: [String: Set<String>] = [:]
        var current: String?
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("## ") {
                current = line
                continue
            }
            guard let current, line.hasPrefix("| `"), let cell = line.split(separator: "|").first else { continue }
            for match in cell.matches(of: /`([^`]+)`/) {
                sections[current, default: []].insert(String(match.1).replacingOccurrences(of: "[]", with: ""))
            }
        }
        self.sections = sections
    }

    /// The documented keys under the heading that contains `verb` (e.g. "`evalctl status --json`").
    func keys(_ verb: String) -> Set<String> {
        sections.first { $0.key.contains(verb) }?.value ?? []
    }

    /// The dotted key paths of a JSON object; arrays and null are leaves.
    static func paths(_ object: [String: Any], prefix: String = "") -> Set<String> {
        var paths: Set<String> = []
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let nested = value as? [String: Any], !nested.isEmpty {
                paths.formUnion(Self.paths(nested, prefix: path))
            } else {
                paths.insert(path)
            }
        }
        return paths
    }

    /// Output keys the document does not name (itself or an ancestor, e.g. `lastError` covers `lastError.at`).
    static func undocumented(_ paths: Set<String>, documented: Set<String>) -> [String] {
        paths.filter { path in !documented.contains { path == $0 || path.hasPrefix($0 + ".") } }.sorted()
    }

    /// Documented keys the output lacks (itself or a descendant).
    static func missing(_ documented: Set<String>, paths: Set<String>) -> [String] {
        documented.filter { key in !paths.contains { $0 == key || $0.hasPrefix(key + ".") } }.sorted()
    }
}
