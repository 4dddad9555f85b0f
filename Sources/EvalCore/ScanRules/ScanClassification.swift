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
        /// The payload, or a case, staff or task field of it, is a citizen's
        /// ID, phone or bank card number: refused, stored nowhere (rule 6).
        case personalData(PersonalDataPattern)
        /// A `signed` rule's form applied, but the code carried no signature
        /// or one the hall's key did not make (a copied or home-made badge).
        case badSignature(rule: String)
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
        case .personalData(let kind): "personal data refused: \(kind.description), never a case"
        case .badSignature(let rule): "rule \(rule) takes signed codes only: signature missing or wrong"
        }
        return "\(why): \(preview)"
    }

    /// The reason as a metric label.
    public var label: String {
        switch reason {
        case .empty: "empty"
        case .oversized: "oversized"
        case .controlCharacters: "control-characters"
        case .unrecognized: "unrecognized"
        case .invalidField: "invalid-field"
        case .personalData: "personal-data"
        case .badSignature: "unsigned-code"
        }
    }

    /// Personal data shows nothing of itself, not even its first characters
    /// (an ID number's are the holder's home county).
    static func personalData(_ kind: PersonalDataPattern, length: Int) -> ScanRejection {
        ScanRejection(reason: .personalData(kind), preview: "(\(length) chars)")
    }

    /// First four characters and the length: enough to recognise a format.
    static func preview(of payload: String) -> String {
        let head = String(payload.prefix(4).map { $0.isASCII && !$0.isWhitespace ? $0 : "?" })
        return "\"\(head)…\" (\(payload.count) chars)"
    }
}
