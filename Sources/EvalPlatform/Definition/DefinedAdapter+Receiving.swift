import EvalCore
import Foundation

/// The platform's side of a definition, for platform-sim: take a request
/// apart as the definition built it, check the app key, time, nonce form and
/// signature (SM2 with the configured public key), decrypt SM4, and give
/// back each record in evald's field names; then answer in the definition's shape.
public struct DefinitionReceiver: Sendable {
    public let adapter: DefinedAdapter
    public var definition: AdapterDefinition { adapter.definition }

    public enum Refusal: Error, Sendable, Equatable {
        /// 401: key, time, nonce or signature.
        case unauthorized(String)
        /// 400: the envelope or the records cannot be read.
        case malformed(String)
    }

    /// One received record, its fields renamed back to evald's keys.
    public struct Record: Sendable {
        /// The record's id as sent (what the answer must name).
        public var id: String?
        /// A JSON object in evald's field names and types (`evald-json/1`'s record shape).
        public var evaldJSON: [UInt8]
        /// Keys the definition does not know: the record is refused for them.
        public var unknownFields: [String]
    }

    public struct Received: Sendable {
        public var records: [Record]
        public var nonce: String?
        public var timestampMillis: Int64?
    }

    /// - Parameter sm2PublicKeyPEM: for `sm2-sm3` definitions, the agent's public key.
    public init(definition: AdapterDefinition, appKey: String, secret: AppSecret, sm2PublicKeyPEM: String? = nil) throws {
        if definition.signature?.algorithm == .sm2SM3, sm2PublicKeyPEM == nil {
            throw DefinitionKeys.Failure(description: "adapter \(definition.name) signs with sm2-sm3: give the agent's SM2 public key")
        }
        var adapter = try DefinedAdapter(definition: definition, appKey: appKey, secret: AppSecret(""), keysOnly: true)
        adapter.replaceKeys(try DefinitionKeys(definition: definition, appKey: appKey, secret: secret, sm2PublicKeyPEM: sm2PublicKeyPEM))
        self.adapter = adapter
    }

    public func receive(headers: [HeaderField], body: [UInt8], path: String, nowMillis: Int64, windowMillis: Int64) throws(Refusal) -> Received {
        var values: [Placeholder: String] = [:]
        for header in definition.headers where !header.value.placeholders.isEmpty {
            guard let text = headers.first(where: { $0.name.caseInsensitiveCompare(header.name) == .orderedSame })?.value else {
                throw .unauthorized("missing header \(header.name)")
            }
            guard let found = header.value.match(text) else { throw .unauthorized("header \(header.name) is not of the form the definition gives") }
            values.merge(found) { $1 }
        }
        var placed: [UInt8] = []
        switch definition.body {
        case .json(let template):
            guard let root = try? JSONNodeParser.parse(body) else { throw .malformed("body is not JSON") }
            var recordsNode: JSONNode?
            try collect(template, root, "", &values, &recordsNode)
            guard let recordsNode else { throw .malformed("no records in the body") }
            if definition.encryption != nil {
                guard let text = recordsNode.string else { throw .malformed("the encrypted records must be a string") }
                placed = Array(text.utf8)
            } else {
                placed = Array(body[recordsNode.range])
            }
        case .form(let fields):
            guard let received = FormEncoding.decode(body) else { throw .malformed("body is not a URL-encoded form") }
            for field in fields {
                guard let text = received.first(where: { $0.0 == field.name })?.1 else { throw .malformed("form field \(field.name) is missing") }
                guard let found = field.value.match(text) else { throw .malformed("form field \(field.name) is not of the form the definition gives") }
                values.merge(found) { $1 }
            }
            placed = Array((values[.records] ?? "").utf8)
        }

        let used = definition.placeholders
        if used.contains(.appKey), values[.appKey] != adapter.keys.appKey { throw .unauthorized("unknown app key") }
        var timestamp: Int64?
        if used.contains(.timestamp) { timestamp = values[.timestamp].flatMap { Int64($0) } } else if used.contains(.timestampSeconds) {
            timestamp = values[.timestampSeconds].flatMap { Int64($0) }.map { $0 * 1000 }
        } else if used.contains(.time) {
            timestamp = values[.time].flatMap(definition.timeFormat.parse).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        }
        if definition.usesTime {
            guard let timestamp else { throw .unauthorized("the request time is missing or not in the definition's form") }
            // Second-resolution times are judged to the second.
            let slack: Int64 = used.contains(.timestamp) ? 0 : 1000
            guard abs(nowMillis - timestamp) <= windowMillis + slack else {
                throw .unauthorized("the request time is more than \(windowMillis / 1000) s away from the platform clock")
            }
        }
        if definition.usesNonce {
            guard let nonce = values[.nonce], nonce.count >= 16, nonce.allSatisfy(\.isHexDigit) else {
                throw .unauthorized("the nonce must be at least 16 hex characters")
            }
        }
        if let signature = definition.signature {
            values[.method] = "POST"
            values[.path] = path
            guard let text = values[.signature], let given = BinaryText.decode(text, signature.encoding) else { throw .unauthorized("bad signature") }
            let message = adapter.signedString(values, records: placed, body: definition.signatureInBody ? nil : body)
            let valid: Bool
            switch signature.algorithm {
            case .hmacSHA256: valid = Self.same(given, OpenSSLDigest.sha256.hmac(key: adapter.keys.secretBytes, message))
            case .hmacSM3: valid = Self.same(given, OpenSSLDigest.sm3.hmac(key: adapter.keys.secretBytes, message))
            case .sm3: valid = Self.same(given, OpenSSLDigest.sm3.hash(message))
            case .sha256: valid = Self.same(given, OpenSSLDigest.sha256.hash(message))
            case .sm2SM3: valid = adapter.keys.sm2?.isValid(signature: given, for: message) ?? false
            }
            guard valid else { throw .unauthorized("bad signature") }
        }

        var plain = placed
        if let encryption = definition.encryption, let cipher = adapter.keys.sm4 {
            guard let sealed = BinaryText.decode(String(decoding: placed, as: UTF8.self), encryption.encoding),
                  let opened = try? cipher.decrypt(sealed) else { throw .malformed("the records do not decrypt with the SM4 key") }
            plain = opened
        }
        guard let list = try? JSONNodeParser.parse(plain), case .array(let items) = list.kind else {
            throw .malformed("the records are not a JSON array")
        }
        var records: [Record] = []
        records.reserveCapacity(items.count)
        for item in items { records.append(try record(item)) }
        return Received(records: records, nonce: values[.nonce]?.lowercased(), timestampMillis: timestamp)
    }

    /// Constant time over equal lengths.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Walks the template and the received body together, reading placeholders.
    private func collect(_ template: JSONNode, _ received: JSONNode, _ path: String, _ values: inout [Placeholder: String],
                         _ records: inout JSONNode?) throws(Refusal) {
        switch template.kind {
        case .object(let members):
            for member in members {
                let p = path.isEmpty ? member.key : path + "." + member.key
                guard let child = received[member.key] else { throw .malformed("the body has no \(p)") }
                try collect(member.value, child, p, &values, &records)
            }
        case .string(let s):
            guard let t = try? Template.parse(s), !t.placeholders.isEmpty else { return }
            if t.sole == .records { records = received; return }
            guard let text = received.text, let found = t.match(text) else { throw .malformed("\(path) is not of the form the definition gives") }
            values.merge(found) { $1 }
        default:
            return
        }
    }

    /// One record back in evald's names: maps reversed, dates re-formed, types restored.
    private func record(_ node: JSONNode) throws(Refusal) -> Record {
        guard case .object(let members) = node.kind else { throw .malformed("a record is not a JSON object") }
        var out = JSONBytes(capacity: 512)
        out.byte("{")
        var first = true
        var id: String?
        var unknown: [String] = []
        for member in members {
            guard let field = definition.fields.first(where: { $0.name == member.key }) else { unknown.append(member.key); continue }
            if !first { out.byte(",") }
            first = false
            out.key(field.source.rawValue)
            if field.source == .evaluationId { id = member.value.text }
            if field.source.kind == .persons {
                guard case .array(let people) = member.value.kind else { throw .malformed("\(member.key) is not a list") }
                out.byte("[")
                for (i, person) in people.enumerated() {
                    if i > 0 { out.byte(",") }
                    out.byte("{")
                    out.key("loginName")
                    out.quoted(person[field.personKeys.loginName]?.text ?? "")
                    out.byte(",")
                    out.key("name")
                    out.quoted(person[field.personKeys.name]?.text ?? "")
                    out.byte("}")
                }
                out.byte("]")
                continue
            }
            guard var text = member.value.text else { throw .malformed("\(member.key) is \(member.value.kindName)") }
            if let source = field.map.first(where: { $0.value.text == text })?.key { text = source }
            if let format = field.dateFormat, let date = format.parse(text) { text = ShanghaiTime.format(date) }
            if field.source.kind == .int, let i = Int(text) {
                out.raw(String(i))
            } else if field.source.kind == .int, case .number = member.value.kind {
                out.raw(text)
            } else {
                out.quoted(text)
            }
        }
        out.byte("}")
        return Record(id: id, evaldJSON: out.bytes, unknownFields: unknown)
    }

    // MARK: Answering

    public enum Outcome: Sendable {
        case accepted, duplicate, rejected(String)
    }

    /// The 200 answer for these records' outcomes, in the definition's shape.
    public func answer(_ outcomes: [(id: String, outcome: Outcome)]) -> (headers: [HeaderField], body: [UInt8]) {
        let r = definition.response
        var tree = OutNode.object([])
        var headers = [HeaderField("Content-Type", "application/json")]
        if let success = r.success {
            switch success.place {
            case .header: headers.append(HeaderField(success.key, success.values[0]))
            case .body: tree.set(success.key, .string(success.values[0]))
            }
        }
        func code(_ o: Outcome) -> String {
            switch o {
            case .accepted: r.accepted[0]
            case .duplicate: r.duplicate.first ?? r.accepted[0]
            case .rejected: r.rejected[0]
            }
        }
        switch r.reading {
        case .perRecord(let list, let idKey, let statusKey, let reasonKey):
            let items: [OutNode] = outcomes.map { item in
                var entry = OutNode.object([])
                entry.set(idKey, .string(item.id))
                entry.set(statusKey, .string(code(item.outcome)))
                if case .rejected(let reason) = item.outcome, let reasonKey { entry.set(reasonKey, .string(reason)) }
                return entry
            }
            tree.set(list, .array(items))
        case .batch(let place, let codeKey, let reasonKey):
            let rejected = outcomes.compactMap { if case .rejected(let reason) = $0.outcome { reason } else { nil } }
            let allDuplicate = !outcomes.isEmpty && outcomes.allSatisfy { if case .duplicate = $0.outcome { true } else { false } }
            let batchCode = rejected.isEmpty ? (allDuplicate ? code(.duplicate) : r.accepted[0]) : r.rejected[0]
            switch place {
            case .header: headers.append(HeaderField(codeKey, batchCode))
            case .body: tree.set(codeKey, .string(batchCode))
            }
            if let reasonKey { tree.set(reasonKey, .string(rejected.first ?? "ok")) }
        }
        var out = JSONBytes(capacity: 64 + outcomes.count * 80)
        tree.write(to: &out)
        return (headers, out.bytes)
    }

    public var answersPerBatch: Bool { if case .batch = definition.response.reading { true } else { false } }
}

/// A JSON tree being built (ordered keys), for the simulator's answers.
enum OutNode {
    case object([(String, OutNode)])
    case array([OutNode])
    case string(String)

    mutating func set(_ path: String, _ value: OutNode) {
        let parts = path.split(separator: ".").map(String.init)
        set(parts[...], value)
    }

    private mutating func set(_ parts: ArraySlice<String>, _ value: OutNode) {
        guard let head = parts.first else { self = value; return }
        guard case .object(var members) = self else { return }
        if let i = members.firstIndex(where: { $0.0 == head }) {
            members[i].1.set(parts.dropFirst(), value)
        } else {
            var child = OutNode.object([])
            child.set(parts.dropFirst(), value)
            members.append((head, child))
        }
        self = .object(members)
    }

    func write(to out: inout JSONBytes) {
        switch self {
        case .object(let members):
            out.byte("{")
            for (i, m) in members.enumerated() {
                if i > 0 { out.byte(",") }
                out.key(m.0)
                m.1.write(to: &out)
            }
            out.byte("}")
        case .array(let items):
            out.byte("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.byte(",") }
                item.write(to: &out)
            }
            out.byte("]")
        case .string(let s): out.quoted(s)
        }
    }
}
