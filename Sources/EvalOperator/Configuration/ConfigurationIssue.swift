/// One problem found in `evald.toml`, with where it is, so that
/// `evald --check-config` can say exactly what to fix.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error
        case warning
    }

    public var severity: Severity
    /// `[platform] base_url`, `[[window]] #2 window_code`, or `file` for the whole file.
    public var location: String
    /// 1-based line in the file when known.
    public var line: Int?
    public var message: String

    public init(_ severity: Severity = .error, location: String, line: Int? = nil, message: String) {
        self.severity = severity
        self.location = location
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        return "\(severity.rawValue): \(place)\(location): \(message)"
    }
}

/// Thrown when the configuration cannot be used; carries every error found,
/// not just the first, so one `--check-config` run shows them all.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var issues: [ConfigurationIssue]

    public init(path: String, issues: [ConfigurationIssue]) {
        self.path = path
        self.issues = issues
    }

    public var description: String {
        let errors = issues.filter { $0.severity == .error }
        let lines = errors.map { "  \($0)" }.joined(separator: "\n")
        return "\(path): \(errors.count) configuration error\(errors.count == 1 ? "" : "s"):\n\(lines)"
    }
}
