#if canImport(Glibc)
import EvalOperator
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging

/// Writes one line per log record to stderr; when stderr is the journal
/// (`JournalStream`), with the `<N>` syslog priority prefix journald
/// understands (sd-daemon(3)), so `journalctl -p warning` filters evald's
/// lines. No timestamp: journald adds its own. `LogRecordFormatter` escapes
/// control characters and caps each field.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let priorityPrefix: Bool

    public init(label: String, level: Logger.Level, priorityPrefix: Bool = JournalStream.isStandardError()) {
        self.label = label
        self.logLevel = level
        self.priorityPrefix = priorityPrefix
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
        let line = LogRecordFormatter.line(level: level, label: label, message: "\(message)", metadata: merged,
                                           priorityPrefix: priorityPrefix)
        Self.writeToStandardError(line)
    }

    /// One write per line so concurrent records never interleave mid-line.
    /// The line is escaped, so it holds no NUL: byte count, not strlen.
    static func writeToStandardError(_ line: String) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }

    /// A message written before logging is set up (evald refusing its
    /// configuration): the same escaping and prefix rule as every record,
    /// one record per line of `message`.
    public static func writeEarly(level: Logger.Level, label: String, _ message: String) {
        let prefix = JournalStream.isStandardError()
        for text in message.split(separator: "\n", omittingEmptySubsequences: true) {
            writeToStandardError(LogRecordFormatter.line(level: level, label: label, message: String(text), metadata: [:],
                                                         priorityPrefix: prefix))
        }
    }

    public static func bootstrap(level: Logger.Level) {
        let prefix = JournalStream.isStandardError()
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, level: level, priorityPrefix: prefix) }
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
