import Foundation

/// One entry of `scan-rules.json`: a kind, and exactly one form that extracts
/// fields from the payload.
///
/// - `regex`: the pattern must match the whole payload; named groups
///   (`(?<projectNo>…)`) give the fields.
/// - `urlQuery`: the payload is an http(s) URL; `fields` maps a field to a
///   query parameter name; `host`, when set, must equal the URL's host.
/// - `json`: the payload is a JSON object; `fields` maps a field to a dotted
///   key path; every `when` key path must equal its string value.
///
/// `signed: true` makes the rule take only codes signed with the hall's code
/// key (`<payload>~<signature>`, see `CodeSignature`): the form applies to the
/// text before the last `~`, and a payload it applies to whose signature is
/// missing or wrong is refused (`unsigned-code`), not passed to a later rule.
///
/// Extracted values are checked against conservative per-field alphabets and
/// lengths (`ScanField.accepts`) and are never used as SQL, a path or a command.
public struct ScanRule: Sendable, Decodable {
    public enum Form: Sendable {
        case regex(pattern: String)
        case urlQuery(host: String?, fields: [ScanField: String])
        case json(when: [String: String], fields: [ScanField: String])
    }

    public var name: String
    public var kind: ScanKind
    public var form: Form
    /// Only codes signed with the hall's code key are taken.
    public var signed: Bool
    private let compiled: CompiledPattern?

    public init(name: String, kind: ScanKind, form: Form, signed: Bool = false) throws {
        self.name = name
        self.kind = kind
        self.form = form
        self.signed = signed
        if case .regex(let pattern) = form {
            compiled = try CompiledPattern(pattern)
        } else {
            compiled = nil
        }
    }

    private enum CodingKeys: String, CodingKey { case name, kind, regex, urlQuery, json, signed }
    private struct URLQueryForm: Decodable { var host: String?; var fields: [ScanField: String] }
    private struct JSONForm: Decodable { var when: [String: String]?; var fields: [ScanField: String] }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let kind = try container.decode(ScanKind.self, forKey: .kind)
        let regex = try container.decodeIfPresent(String.self, forKey: .regex)
        let query = try container.decodeIfPresent(URLQueryForm.self, forKey: .urlQuery)
        let json = try container.decodeIfPresent(JSONForm.self, forKey: .json)
        let signed = try container.decodeIfPresent(Bool.self, forKey: .signed) ?? false
        let form: Form
        switch (regex, query, json) {
        case (let pattern?, nil, nil): form = .regex(pattern: pattern)
        case (nil, let query?, nil): form = .urlQuery(host: query.host, fields: query.fields)
        case (nil, nil, let json?): form = .json(when: json.when ?? [:], fields: json.fields)
        default:
            throw DecodingError.dataCorruptedError(forKey: .name, in: container,
                debugDescription: "scan rule \(name) needs exactly one of regex, urlQuery, json")
        }
        do {
            try self.init(name: name, kind: kind, form: form, signed: signed)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .regex, in: container,
                debugDescription: "scan rule \(name): invalid regex (\(error))")
        }
    }

    /// The raw fields this rule extracts from `payload`, or nil when it does not apply.
    func extract(_ payload: String) -> [ScanField: String]? {
        switch form {
        case .regex:
            return compiled?.wholeMatch(payload)
        case .urlQuery(let host, let fields):
            guard let components = URLComponents(string: payload),
                  let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return nil }
            if let host, components.host?.lowercased() != host.lowercased() { return nil }
            let items = components.queryItems ?? []
            var found: [ScanField: String] = [:]
            for (field, parameter) in fields {
                if let value = items.first(where: { $0.name == parameter })?.value { found[field] = value }
            }
            return found.isEmpty ? nil : found
        case .json(let when, let fields):
            guard payload.first == "{", let data = payload.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            for (path, expected) in when where Self.value(at: path, in: object) != expected { return nil }
            var found: [ScanField: String] = [:]
            for (field, path) in fields {
                if let value = Self.value(at: path, in: object) { found[field] = value }
            }
            return found
        }
    }

    /// A string or number at a dotted key path; nested objects only (no arrays).
    private static func value(at path: String, in object: [String: Any]) -> String? {
        var current: Any = object
        for key in path.split(separator: ".") {
            guard let dictionary = current as? [String: Any], let next = dictionary[String(key)] else { return nil }
            current = next
        }
        switch current {
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}

/// A regex compiled once, with the names of its capture groups.
private struct CompiledPattern: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented thread-safe.
    let expression: NSRegularExpression
    let groups: [ScanField]

    init(_ pattern: String) throws {
        expression = try NSRegularExpression(pattern: pattern)
        groups = ScanField.allCases.filter { pattern.contains("(?<\($0.rawValue)>") }
    }

    func wholeMatch(_ payload: String) -> [ScanField: String]? {
        let whole = NSRange(payload.startIndex..., in: payload)
        guard let match = expression.firstMatch(in: payload, options: [.anchored], range: whole),
              match.range == whole else { return nil }
        var found: [ScanField: String] = [:]
        for field in groups {
            let range = match.range(withName: field.rawValue)
            if range.location != NSNotFound, let swiftRange = Range(range, in: payload) {
                found[field] = String(payload[swiftRange])
            }
        }
        return found
    }
}
