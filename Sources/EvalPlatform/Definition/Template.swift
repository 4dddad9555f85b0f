import Foundation

/// A string with `${name}` placeholders, e.g. `POST\n${path}\n${timestamp}`.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public var parts: [Part]

    public var placeholders: Set<Placeholder> {
        Set(parts.compactMap { if case .placeholder(let p) = $0 { p } else { nil } })
    }

    /// The one placeholder the whole template is, if it is just that.
    public var sole: Placeholder? {
        if parts.count == 1, case .placeholder(let p) = parts[0] { p } else { nil }
    }

    public struct Unknown: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "unknown placeholder ${\(name)} (known: \(Placeholder.allCases.map { "${\($0.rawValue)}" }.joined(separator: ", ")))"
        }
    }

    public static func parse(_ text: String) throws(Unknown) -> Template {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            literal += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close])
            guard let placeholder = Placeholder(rawValue: name) else { throw Unknown(name: name) }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return Template(parts: parts)
    }

    public func render(_ value: (Placeholder) -> String) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .placeholder(let p): out += value(p)
            }
        }
        return out
    }

    /// The placeholders' values in `text` if it matches this template (literals
    /// between them fixed); how platform-sim reads a header like `Bearer ${signature}`.
    public func match(_ text: String) -> [Placeholder: String]? {
        var values: [Placeholder: String] = [:]
        var rest = Substring(text)
        var index = 0
        while index < parts.count {
            switch parts[index] {
            case .literal(let s):
                guard rest.hasPrefix(s) else { return nil }
                rest = rest.dropFirst(s.count)
            case .placeholder(let p):
                // Up to the next literal, or the end.
                if index + 1 < parts.count, case .literal(let next) = parts[index + 1] {
                    guard let r = rest.range(of: next) else { return nil }
                    values[p] = String(rest[..<r.lowerBound])
                    rest = rest[r.lowerBound...]
                } else {
                    values[p] = String(rest)
                    rest = ""
                }
            }
            index += 1
        }
        return rest.isEmpty ? values : nil
    }
}

/// The values a definition can place in headers, the body and the signed string.
public enum Placeholder: String, Sendable, CaseIterable, Hashable {
    /// Unix milliseconds of the request.
    case timestamp
    case timestampSeconds
    /// The request time in the definition's `timeFormat` (Asia/Shanghai).
    case time
    /// 32 hex characters, never reused.
    case nonce
    case appKey
    /// The signature, encoded as the definition says (not in the signed string).
    case signature
    /// The records: a JSON array in a JSON body, its text in a form or the
    /// signed string, or the SM4 ciphertext when encrypted.
    case records
    // Only in the signed string:
    case method
    /// The full request path, base path included (`/api/v1/evaluations`).
    case path
    /// The body bytes (not when the signature is inside the body).
    case body
    case bodySha256
    case bodySm3
    /// The app secret itself (for plain `sm3`/`sha256` signatures).
    case secret

    /// Allowed outside the signed string.
    var inEnvelope: Bool { ![.method, .path, .body, .bodySha256, .bodySm3, .secret].contains(self) }
    var coversBody: Bool { [.body, .bodySha256, .bodySm3].contains(self) }
}
