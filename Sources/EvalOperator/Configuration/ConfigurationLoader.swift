import Foundation
import TOMLKit

/// The outcome of reading `evald.toml`: the configuration when it is usable,
/// and every issue found (errors make it unusable; warnings do not).
public struct ConfigurationCheck: Sendable {
    public var path: String
    public var configuration: AgentConfiguration?
    public var issues: [ConfigurationIssue]

    public var errors: [ConfigurationIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [ConfigurationIssue] { issues.filter { $0.severity == .warning } }

    /// The configuration, or a `ConfigurationError` listing every error.
    public func get() throws(ConfigurationError) -> AgentConfiguration {
        guard let configuration, errors.isEmpty else { throw ConfigurationError(path: path, issues: issues) }
        return configuration
    }
}

/// TOML → `AgentConfiguration`. Never crashes on a bad file: a missing,
/// unreadable, binary or syntactically broken file becomes a located issue.
public enum ConfigurationLoader {
    public static func load(path: String) -> ConfigurationCheck {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return ConfigurationCheck(path: path, configuration: nil, issues: [
                ConfigurationIssue(location: "file", message: readFailure(path: path, error: error)),
            ])
        }
        guard let text = String(data: data, encoding: .utf8), !text.contains("\0") else {
            return ConfigurationCheck(path: path, configuration: nil, issues: [
                ConfigurationIssue(location: "file", message: "not a UTF-8 text file (is it the right file? TOML is plain text)"),
            ])
        }
        return parse(text: text, path: path)
    }

    public static func parse(text: String, path: String = "evald.toml") -> ConfigurationCheck {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            return ConfigurationCheck(path: path, configuration: nil, issues: [
                ConfigurationIssue(
                    location: "syntax", line: error.source.begin.line,
                    message: "\(error.description) (column \(error.source.begin.column))"
                ),
            ])
        } catch {
            return ConfigurationCheck(path: path, configuration: nil, issues: [
                ConfigurationIssue(location: "syntax", message: "\(error)"),
            ])
        }
        let collector = IssueCollector(locator: TOMLLineLocator(text: text))
        var configuration = ConfigurationMapper(root: root, issues: collector).map()
        configuration.sourcePath = path
        return ConfigurationCheck(
            path: path,
            configuration: collector.hasErrors ? nil : configuration,
            issues: collector.issues
        )
    }

    private static func readFailure(path: String, error: any Error) -> String {
        let nsError = error as NSError
        let posix = (nsError.userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? nsError.code
        switch Int32(posix) {
        case ENOENT, Int32(NSFileReadNoSuchFileError): return "file not found: \(path)"
        case EACCES, Int32(NSFileReadNoPermissionError):
            return "permission denied reading \(path) (run as root or as a member of group evald)"
        default: return "cannot read \(path): \(nsError.localizedDescription)"
        }
    }
}
