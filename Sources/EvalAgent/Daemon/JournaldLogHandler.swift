#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging

/// Writes one line per log record to stderr with the `<N>` syslog priority
/// prefix journald understands (sd-daemon(3)), so `journalctl -p warning`
/// filters evald's lines. No timestamp: journald adds its own.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?,
        source: String, file: String, function: String, line sourceLine: UInt
    ) {
        let merged = metadata.merging(extra ?? [:]) { _, new in new }
        var line = "<\(Self.priority(of: level))>\(label): \(message)"
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        // One write per line so concurrent records never interleave mid-line;
        // a newline inside a message would split the journal entry, so flatten it.
        line = line.replacingOccurrences(of: "\n", with: " ⏎ ") + "\n"
        line.withCString { _ = write(STDERR_FILENO, $0, strlen($0)) }
    }

    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, level: level) }
    }
}

extension LogLevelName {
    public var loggerLevel: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}
