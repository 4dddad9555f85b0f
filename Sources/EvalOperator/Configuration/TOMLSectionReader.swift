import TOMLKit

/// Collects issues while a whole file is read, so every problem is reported at once.
final class IssueCollector {
    private(set) var issues: [ConfigurationIssue] = []
    let locator: TOMLLineLocator

    init(locator: TOMLLineLocator) { self.locator = locator }

    func add(_ issue: ConfigurationIssue) { issues.append(issue) }
    var hasErrors: Bool { issues.contains { $0.severity == .error } }
}

/// Reads typed keys from one TOML table, recording a located issue for a
/// wrong type or an unknown key (a typo such as `base_ulr` must not be
/// silently ignored).
struct TOMLSectionReader {
    let table: TOMLTable?
    /// The name used by the locator (`platform`, `window`, `platform.pf_map`).
    let section: String?
    /// For `[[array]]` tables: which one.
    let index: Int?
    let issues: IssueCollector
    /// The `ConfigurationSchema` section whose keys are allowed here: the
    /// section itself, except for nested tables the locator names by their
    /// parent (`[[window]]`'s `staff` entries are `window.staff`).
    let schemaSection: String

    init(table: TOMLTable?, section: String?, index: Int? = nil, schemaSection: String? = nil, issues: IssueCollector) {
        self.table = table
        self.section = section
        self.index = index
        self.schemaSection = schemaSection ?? section ?? ""
        self.issues = issues
    }

    /// `[platform] base_url` or `[[window]] #2 window_code`.
    func location(_ key: String? = nil) -> String {
        var text: String
        switch (section, index) {
        case (nil, _): text = "(top level)"
        case (let name?, nil): text = "[\(name)]"
        case (let name?, let index?): text = "[[\(name)]] #\(index + 1)"
        }
        if let key { text += " \(key)" }
        return text
    }

    func line(_ key: String) -> Int? {
        issues.locator.key(key, section: section, index: index) ?? sectionLine
    }

    var sectionLine: Int? {
        guard let section else { return nil }
        return issues.locator.header(section, index: index)
    }

    func error(_ key: String, _ message: String) {
        issues.add(ConfigurationIssue(.error, location: location(key), line: line(key), message: message))
    }

    func warning(_ key: String, _ message: String) {
        issues.add(ConfigurationIssue(.warning, location: location(key), line: line(key), message: message))
    }

    private func value(_ key: String) -> (any TOMLValueConvertible)? {
        assert(ConfigurationSchema.isKey(key, in: schemaSection), "[\(schemaSection)] \(key) is read but missing from ConfigurationSchema")
        return table?[key]
    }

    private func wrongType(_ key: String, expected: String, got value: any TOMLValueConvertible) {
        error(key, "expected \(expected), found \(value.type.description)")
    }

    mutating func string(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else {
            wrongType(key, expected: "a string", got: value)
            return nil
        }
        return string
    }

    /// A string that must not be empty when present; empty counts as absent.
    mutating func nonEmptyString(_ key: String) -> String? {
        guard let string = string(key) else { return nil }
        let trimmed = string.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    mutating func int(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.int else {
            wrongType(key, expected: "an integer", got: value)
            return nil
        }
        if let range, !range.contains(int) {
            error(key, "\(int) is out of range \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return int
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else {
            wrongType(key, expected: "true or false", got: value)
            return nil
        }
        return bool
    }

    mutating func stringArray(_ key: String) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "an array of strings", got: value)
            return nil
        }
        var result: [String] = []
        for (i, element) in array.enumerated() {
            guard let string = element.string else {
                error(key, "element \(i + 1) must be a string, found \(element.type.description)")
                return nil
            }
            result.append(string)
        }
        return result
    }

    mutating func subtable(_ key: String) -> TOMLTable? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else {
            wrongType(key, expected: "a table", got: value)
            return nil
        }
        return table
    }

    mutating func tableArray(_ key: String) -> [TOMLTable]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "an array of tables ([[\(key)]])", got: value)
            return nil
        }
        var tables: [TOMLTable] = []
        for (i, element) in array.enumerated() {
            guard let table = element.table else {
                error(key, "element \(i + 1) must be a table, found \(element.type.description)")
                return nil
            }
            tables.append(table)
        }
        return tables
    }

    /// Reports keys present in the table that `ConfigurationSchema` does not list.
    func reportUnknownKeys() {
        guard let table else { return }
        for key in table.keys where !ConfigurationSchema.isKey(key, in: schemaSection) {
            let known = (ConfigurationSchema.keys[schemaSection] ?? []).sorted().joined(separator: ", ")
            issues.add(ConfigurationIssue(
                .error, location: location(key), line: line(key),
                message: "unknown key (known keys here: \(known))"
            ))
        }
    }
}

import Foundation
