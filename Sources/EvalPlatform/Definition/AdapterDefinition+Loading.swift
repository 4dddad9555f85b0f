import Foundation

/// One thing wrong with a definition file, placed for the technician.
public struct DefinitionIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// Dotted path of the key, e.g. `response.results.list`, `fields[3].from`.
    public var key: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(key.isEmpty ? "" : key + ": ")\(message)" }
}

public struct DefinitionErrors: Error, CustomStringConvertible {
    public var issues: [DefinitionIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension AdapterDefinition {
    /// Reads and checks a definition file; every problem found is reported, not just the first.
    public static func load(path: String) throws(DefinitionErrors) -> AdapterDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DefinitionErrors(issues: [.init(file: path, key: "", line: 0, message: "cannot read the adapter definition")])
        }
        return try parse(Array(data), file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(DefinitionErrors) -> AdapterDefinition {
        let root: JSONNode
        do { root = try JSONNodeParser.parse(bytes) } catch {
            throw DefinitionErrors(issues: [.init(file: file, key: "", line: error.line, message: "not JSON: \(error.message)")])
        }
        var reader = DefinitionReader(file: file)
        let definition = reader.definition(root)
        if let definition, reader.issues.isEmpty { return definition }
        throw DefinitionErrors(issues: reader.issues)
    }
}

/// Walks the JSON, collecting issues; returns nil where a part is unusable.
struct DefinitionReader {
    let file: String
    var issues: [DefinitionIssue] = []

    mutating func error(_ key: String, _ line: Int, _ message: String) {
        issues.append(.init(file: file, key: key, line: line, message: message))
    }

    /// The members of an object, reporting keys not in `known` (typos must not pass silently).
    mutating func members(_ node: JSONNode, _ key: String, known: [String]) -> [String: JSONNode]? {
        guard case .object(let list) = node.kind else {
            error(key, node.line, "must be an object, got \(node.kindName)")
            return nil
        }
        var out: [String: JSONNode] = [:]
        for member in list {
            let path = key.isEmpty ? member.key : key + "." + member.key
            if known.contains(member.key) { out[member.key] = member.value } else {
                error(path, member.line, "unknown key (known here: \(known.joined(separator: ", ")))")
            }
        }
        return out
    }

    mutating func string(_ node: JSONNode?, _ key: String, parent: JSONNode, required: Bool = true) -> String? {
        guard let node else {
            if required { error(key, parent.line, "required") }
            return nil
        }
        guard let s = node.string, !s.isEmpty else { error(key, node.line, "must be a non-empty string, got \(node.kindName)"); return nil }
        return s
    }

    mutating func int(_ node: JSONNode?, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard case .number(let text) = node.kind, let v = Int(text), range.contains(v) else {
            error(key, node.line, "must be an integer \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return v
    }

    mutating func strings(_ node: JSONNode?, _ key: String) -> [String] {
        guard let node else { return [] }
        guard case .array(let items) = node.kind else { error(key, node.line, "must be an array of codes"); return [] }
        var out: [String] = []
        for item in items {
            if let t = item.text { out.append(t) } else { error(key, item.line, "a code must be a string or number") }
        }
        return out
    }

    mutating func template(_ node: JSONNode?, _ key: String, parent: JSONNode, envelope: Bool) -> Template? {
        guard let text = string(node, key, parent: parent) else { return nil }
        return template(text, key, line: node!.line, envelope: envelope)
    }

    mutating func template(_ text: String, _ key: String, line: Int, envelope: Bool) -> Template? {
        do {
            let t = try Template.parse(text)
            if envelope, let bad = t.placeholders.first(where: { !$0.inEnvelope }) {
                error(key, line, "${\(bad.rawValue)} belongs in signature.string only")
            }
            if !envelope, t.placeholders.contains(.signature) { error(key, line, "the signed string cannot contain ${signature}") }
            return t
        } catch {
            self.error(key, line, error.description)
            return nil
        }
    }

    mutating func definition(_ root: JSONNode) -> AdapterDefinition? {
        let known = ["name", "comment", "endpoint", "maxBatchSize", "fields", "body", "headers", "signature", "encryption", "timeFormat", "response"]
        guard let m = members(root, "", known: known) else { return nil }
        let name = string(m["name"], "name", parent: root)
        let comment = m["comment"]?.string
        var endpoint = string(m["endpoint"], "endpoint", parent: root)
        if let e = endpoint, !e.hasPrefix("/") { error("endpoint", m["endpoint"]!.line, "must start with '/' (it is appended to base_url)"); endpoint = nil }
        var maxBatch: Int? = 100
        if let b = m["maxBatchSize"] { maxBatch = int(b, "maxBatchSize", range: 1...100) }
        var timeFormat = DateFormat.evald
        if let tf = string(m["timeFormat"], "timeFormat", parent: root, required: false) {
            do { timeFormat = try DateFormat(tf) } catch { self.error("timeFormat", m["timeFormat"]!.line, error.description) }
        }
        var fields: [AdapterDefinition.Field]?
        if let f = m["fields"] { fields = self.fields(f) } else { error("fields", root.line, "required") }
        var body: AdapterDefinition.Body?
        if let b = m["body"] { body = self.body(b) } else { error("body", root.line, "required") }
        var headers: [(name: String, value: Template)] = []
        if let h = m["headers"] {
            if case .array(let items) = h.kind {
                for (i, item) in items.enumerated() {
                    let key = "headers[\(i)]"
                    guard case .array(let pair) = item.kind, pair.count == 2, let n = pair[0].string, !n.isEmpty else {
                        error(key, item.line, "a header is [\"Name\", \"value template\"]")
                        continue
                    }
                    if let t = template(pair[1], key, parent: item, envelope: true) {
                        if t.placeholders.contains(.records) { error(key, item.line, "${records} belongs in the body") }
                        headers.append((n, t))
                    }
                }
            } else { error("headers", h.line, "must be an array of [\"Name\", \"value template\"] pairs") }
        }
        var signature: AdapterDefinition.Signature?
        if let s = m["signature"] { signature = self.signature(s) }
        var encryption: AdapterDefinition.Encryption?
        if let e = m["encryption"] { encryption = self.encryption(e) }
        var response: AdapterDefinition.Response?
        if let r = m["response"] { response = self.response(r) } else { error("response", root.line, "required") }

        guard let name, let endpoint, let maxBatch, let fields, let body, let response else { return nil }
        let definition = AdapterDefinition(
            name: name, comment: comment, endpoint: endpoint, maxBatchSize: maxBatch, fields: fields, body: body,
            headers: headers, signature: signature, encryption: encryption, timeFormat: timeFormat, response: response)
        crossCheck(definition, root: root, m)
        return definition
    }

    /// Rules across sections.
    mutating func crossCheck(_ d: AdapterDefinition, root: JSONNode, _ m: [String: JSONNode]) {
        let all = d.placeholders
        if all.contains(.signature), d.signature == nil { error("signature", root.line, "${signature} is used but there is no signature section") }
        if d.signature != nil, !all.contains(.signature) { error("signature", m["signature"]!.line, "a signature is defined but ${signature} appears in no header or body field") }
        if let s = d.signature, d.signatureInBody, s.string.placeholders.contains(where: \.coversBody) {
            error("signature.string", m["signature"]!.line, "the signature is inside the body, so the signed string cannot cover the body: sign ${records} instead")
        }
        if d.encryption?.key == .secretHex, d.signature?.algorithm == .sm2SM3 {
            error("encryption.key", m["encryption"]!.line, "with sm2-sm3 the app secret is the SM2 private key: give the SM4 key as {\"file\": PATH}")
        }
        if let s = d.signature, s.algorithm == .sm3 || s.algorithm == .sha256, !s.string.placeholders.contains(.secret) {
            error("signature.string", m["signature"]!.line, "a plain \(s.algorithm.rawValue) digest proves nothing without ${secret} in the signed string")
        }
    }

}
