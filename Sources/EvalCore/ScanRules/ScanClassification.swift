/// The outcome of classifying one scanned payload.
public enum ScanClassification: Hashable, Sendable {
    case recognized(Scan, rule: String)
    case ignored(ScanRejection)
}

/// Why a payload was ignored, with a masked preview that is safe to log: a
/// scan may be a citizen's identity code, so its text never reaches a log whole.
public struct ScanRejection: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case empty
        case oversized(length: Int, limit: Int)
        case controlCharacters
        case unrecognized
        /// A rule matched, but a field it needs was missing or malformed.
        case invalidField(rule: String, field: ScanField)
    }

    public var reason: Reason
    public var preview: String

    public var description: String {
        let why = switch reason {
        case .empty: "empty scan"
        case .oversized(let length, let limit): "oversized scan (\(length) > \(limit) characters)"
        case .controlCharacters: "scan contains control characters"
        case .unrecognized: "no scan rule matches"
        case .invalidField(let rule, let field): "rule \(rule) matched but field \(field.rawValue) is missing or malformed"
        }
        return "\(why): \(preview)"
    }

    /// First four characters and the length: enough to recognise a format.
    static func preview(of payload: String) -> String {
        let head = String(payload.prefix(4).map { $0.isASCII && !$0.isWhitespace ? $0 : "?" })
        return "\"\(head)…\" (\(payload.count) chars)"
    }
}
