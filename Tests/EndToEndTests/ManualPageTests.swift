import EvalTesting
import Foundation
import Testing

/// The hand-written manual pages in packaging/man cannot drift: every evalctl
/// command the built binary knows, every evald option, and every section and
/// key the configuration loader accepts must be in them.
@Suite("manual pages")
struct ManualPageTests {
    static func page(_ name: String) throws -> String {
        try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("packaging/man/\(name)"), encoding: .utf8)
    }

    /// Command paths ("queue list") from a binary's --experimental-dump-help.
    static func commands(of product: String) async throws -> (paths: [String], options: [String]) {
        let dump = try await ChildProcess.run(try BuiltProducts.executable(named: product), arguments: ["--experimental-dump-help"], directory: NSTemporaryDirectory())
        #expect(dump.status == 0, "\(dump.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        let root = try #require(json?["command"] as? [String: Any])
        var paths: [String] = []
        func walk(_ command: [String: Any], _ prefix: String) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String else { continue }
                paths.append(prefix + name)
                walk(sub, prefix + name + " ")
            }
        }
        walk(root, "")
        let options = (root["arguments"] as? [[String: Any]] ?? []).flatMap { argument in
            (argument["names"] as? [[String: Any]] ?? []).compactMap { name in
                (name["kind"] as? String) == "long" ? (name["name"] as? String).map { "--" + $0 } : nil
            }
        }
        return (paths, options)
    }

    /// roff with the escapes of a hyphen undone, for plain-text search.
    static func plain(_ roff: String) -> String { roff.replacingOccurrences(of: "\\-", with: "-") }

    @Test func evalctlPageNamesEveryCommand() async throws {
        let text = Self.plain(try Self.page("evalctl.8"))
        let (paths, _) = try await Self.commands(of: "evalctl")
        #expect(paths.contains("queue list"), "no commands read from evalctl: \(paths)")
        for path in paths {
            let parent = paths.contains { $0.hasPrefix(path + " ") }
            // A command with subcommands is described through them.
            if parent { continue }
            #expect(text.contains(".B \(path)\n"), "evalctl.8 does not describe `evalctl \(path)`")
        }
    }

    @Test func evaldPageNamesEveryOption() async throws {
        let text = Self.plain(try Self.page("evald.8"))
        let (_, options) = try await Self.commands(of: "evald")
        #expect(options.contains("--check-config"), "no options read from evald: \(options)")
        for option in options {
            #expect(text.contains(option), "evald.8 does not describe \(option)")
        }
    }

    /// The schema as the daemon's own loader states it: a probe key in every
    /// section is refused with "unknown key (known keys here: …)".
    @Test func configurationPageNamesEverySectionAndKey() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sections = ["agent", "queue", "platform", "devices", "sessions", "alert", "api", "metrics", "report"]
        var probe = "zz_probe = 1\n"
        for section in sections { probe += "[\(section)]\nzz_probe = 1\n" }
        probe += "[[window]]\nzz_probe = 1\n[[window.staff]]\nzz_probe = 1\n"
        let file = dir.path("probe.toml")
        try Data(probe.utf8).write(to: URL(fileURLWithPath: file))
        let check = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", file], directory: dir.url.path)

        // "[queue] zz_probe: unknown key (known keys here: a, b)" → queue: [a, b]
        var schema: [String: Set<String>] = [:]
        for line in check.stdout.split(separator: "\n") + check.stderr.split(separator: "\n") {
            guard let marker = line.range(of: " zz_probe: unknown key (known keys here: "), line.hasSuffix(")") else { continue }
            let location = line[..<marker.lowerBound].split(separator: " ").drop { !$0.hasPrefix("[") && $0 != "(top" }.first.map(String.init) ?? ""
            let section = location.trimmingCharacters(in: CharacterSet(charactersIn: "[]("))
            let keys = line[marker.upperBound..<line.index(before: line.endIndex)].split(separator: ", ").map(String.init)
            schema[section, default: []].formUnion(keys)
        }
        #expect(Set(schema.keys) == Set(sections + ["window", "top"]), "probe answers:\n\(check.stdout)\(check.stderr)")

        // The page has one ".SS [section]" per section; each key is in its part.
        let text = Self.plain(try Self.page("evald.toml.5"))
        var parts: [String: String] = [:]
        for chunk in text.components(separatedBy: "\n.SS ").dropFirst() {
            let heading = chunk.prefix { $0 != "\n" }.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            parts[heading] = String(chunk)
        }
        for (section, keys) in schema where section != "top" {
            let part = try #require(parts[section], "evald.toml.5 has no .SS for [\(section)]")
            for key in keys {
                #expect(part.range(of: "\\b\(key)\\b", options: .regularExpression) != nil, "evald.toml.5 does not describe [\(section)] \(key)")
            }
        }
        for section in schema["top"] ?? [] {
            #expect(parts[section] != nil, "evald.toml.5 has no .SS for [\(section)]")
        }
    }
}
