import EvalCore
import Foundation

/// The adapter an `AdapterDefinition` describes: evald's records renamed and
/// mapped as the definition says, wrapped in its envelope, signed (HMAC-SHA256,
/// HMAC-SM3, SM3, SM2-with-SM3) and optionally SM4-encrypted; answers read
/// where the definition says they are. Pure, like every adapter: the time and
/// nonce are arguments. platform-sim plays the same definition
/// (`DefinedAdapter+Receiving.swift`).
public struct DefinedAdapter: UplinkAdapter {
    public let definition: AdapterDefinition
    public let settings: EvaldJSONAdapter.Settings
    private(set) var keys: DefinitionKeys
    /// Per field: `"name":` as bytes, and whether its value goes out unchanged
    /// (no map, date form, type or empty default): the hot path of a backlog drain.
    private let compiled: [(key: [UInt8], plain: Bool)]

    static func compile(_ definition: AdapterDefinition) -> [(key: [UInt8], plain: Bool)] {
        definition.fields.map { field in
            var key = JSONBytes(capacity: field.name.utf8.count + 3)
            key.key(field.name)
            return (key.bytes, field.map.isEmpty && field.dateFormat == nil && field.type == nil && field.whenAbsent == .omit)
        }
    }

    public var name: String { definition.name }
    public var maxBatchSize: Int { definition.maxBatchSize }

    /// - Parameters:
    ///   - secret: the HMAC key, the string `${secret}` stands for, or (sm2-sm3) the PEM private key.
    ///   - settings: `[platform] satisfaction_scale` and `pf_map`, applied before the definition's own maps.
    public init(definition: AdapterDefinition, appKey: String, secret: AppSecret, settings: EvaldJSONAdapter.Settings = .init()) throws {
        self.definition = definition
        self.settings = settings
        keys = try DefinitionKeys(definition: definition, appKey: appKey, secret: secret)
        compiled = Self.compile(definition)
    }

    /// platform-sim's: the keys are replaced by the receiver's (a public SM2 key).
    init(definition: AdapterDefinition, appKey: String, secret: AppSecret, keysOnly: Bool) throws {
        self.definition = definition
        settings = .init()
        keys = DefinitionKeys(appKey: appKey)
        compiled = Self.compile(definition)
    }

    mutating func replaceKeys(_ keys: DefinitionKeys) { self.keys = keys }

    // MARK: Encoding

    public func encode(_ evaluations: [Evaluation], basePath: String, timestampMillis: Int64, nonce: String) throws -> UplinkRequest {
        precondition((1...maxBatchSize).contains(evaluations.count), "\(name) batches hold 1–\(maxBatchSize) records")
        return try request(records: evaluations.map { EvaldJSONAdapter.record(for: $0, settings: settings) },
                           basePath: basePath, timestampMillis: timestampMillis, nonce: nonce)
    }

    public func clockProbe(basePath: String, timestampMillis: Int64, nonce: String) -> UplinkRequest {
        // An empty batch; encryption of "[]" cannot fail with a checked key.
        (try? request(records: [], basePath: basePath, timestampMillis: timestampMillis, nonce: nonce))
            ?? UplinkRequest(relativePath: definition.endpoint, headers: [], body: [])
    }

    /// The request for these wire records (public for tests and the benchmark).
    public func request(records: [EvaldJSONWire.Record], basePath: String, timestampMillis: Int64, nonce: String) throws -> UplinkRequest {
        let plain = recordsJSON(records)
        // What `${records}` is in the body and the signed string.
        let placed: [UInt8]
        if let encryption = definition.encryption, let cipher = keys.sm4 {
            placed = Array(BinaryText.encode(try cipher.encrypt(plain), encryption.encoding).utf8)
        } else {
            placed = plain
        }
        let path = EvaldJSONAdapter.joinPath(basePath, definition.endpoint)
        let time = Date(timeIntervalSince1970: TimeInterval(timestampMillis) / 1000)
        var values: [Placeholder: String] = [
            .timestamp: String(timestampMillis),
            .timestampSeconds: String(timestampMillis / 1000),
            .time: definition.timeFormat.format(time),
            .nonce: nonce,
            .appKey: keys.appKey,
            .method: "POST",
            .path: path,
        ]
        let body: [UInt8]
        if definition.signatureInBody {
            values[.signature] = try sign(values, records: placed, body: nil)
            body = self.body(values, records: placed)
        } else {
            body = self.body(values, records: placed)
            if definition.signature != nil { values[.signature] = try sign(values, records: placed, body: body) }
        }
        let headers = definition.headers.map { HeaderField($0.name, $0.value.render { values[$0] ?? "" }) }
        return UplinkRequest(relativePath: definition.endpoint, headers: headers, body: body)
    }

    /// The signed string's bytes (for tests, docs and platform-sim).
    func signedString(_ values: [Placeholder: String], records: [UInt8], body: [UInt8]?) -> [UInt8] {
        guard let signature = definition.signature else { return [] }
        var out: [UInt8] = []
        for part in signature.string.parts {
            switch part {
            case .literal(let s): out += Array(s.utf8)
            case .placeholder(.records): out += records
            case .placeholder(.body): out += body ?? []
            case .placeholder(.bodySha256): out += Array(Hex.encode(OpenSSLDigest.sha256.hash(body ?? [])).utf8)
            case .placeholder(.bodySm3): out += Array(Hex.encode(OpenSSLDigest.sm3.hash(body ?? [])).utf8)
            case .placeholder(.secret): out += keys.secretBytes
            case .placeholder(let p): out += Array((values[p] ?? "").utf8)
            }
        }
        return out
    }

    private func sign(_ values: [Placeholder: String], records: [UInt8], body: [UInt8]?) throws -> String {
        guard let signature = definition.signature else { return "" }
        let message = signedString(values, records: records, body: body)
        let raw: [UInt8]
        switch signature.algorithm {
        case .hmacSHA256: raw = OpenSSLDigest.sha256.hmac(key: keys.secretBytes, message)
        case .hmacSM3: raw = OpenSSLDigest.sm3.hmac(key: keys.secretBytes, message)
        case .sm3: raw = OpenSSLDigest.sm3.hash(message)
        case .sha256: raw = OpenSSLDigest.sha256.hash(message)
        case .sm2SM3:
            guard let key = keys.sm2 else { throw DefinitionKeys.Failure(description: "sm2-sm3 signing needs the SM2 private key") }
            raw = try key.sign(message)
        }
        return BinaryText.encode(raw, signature.encoding)
    }

    func recordsJSON(_ records: [EvaldJSONWire.Record]) -> [UInt8] {
        var out = JSONBytes(capacity: 2 + records.count * 480)
        out.byte("[")
        for (i, record) in records.enumerated() {
            if i > 0 { out.byte(",") }
            write(record, to: &out)
        }
        out.byte("]")
        return out.bytes
    }

    private func write(_ record: EvaldJSONWire.Record, to out: inout JSONBytes) {
        out.byte("{")
        var first = true
        let fields = definition.fields
        for index in fields.indices {
            let field = fields[index]
            let source = field.source.value(in: record)
            guard let value = compiled[index].plain ? source : wireValue(field, source) else { continue }
            if !first { out.byte(",") }
            first = false
            out.bytes.append(contentsOf: compiled[index].key)
            switch value {
            case .string(let s): out.quoted(s)
            case .int(let i): out.raw(String(i))
            case .persons(let persons):
                out.byte("[")
                for (i, person) in persons.enumerated() {
                    if i > 0 { out.byte(",") }
                    out.byte("{")
                    out.key(field.personKeys.loginName)
                    out.quoted(person.loginName)
                    out.byte(",")
                    out.key(field.personKeys.name)
                    out.quoted(person.name)
                    out.byte("}")
                }
                out.byte("]")
            }
        }
        out.byte("}")
    }

    /// The value as the platform wants it: mapped, re-dated, re-typed; nil: not sent.
    func wireValue(_ field: AdapterDefinition.Field, _ source: FieldValue?) -> FieldValue? {
        guard var value = source else { return field.whenAbsent == .empty ? .string("") : nil }
        if !field.map.isEmpty {
            let text: String? = switch value {
            case .string(let s): s
            case .int(let i): String(i)
            case .persons: nil
            }
            if let text, let mapped = field.map[text] {
                value = switch mapped {
                case .string(let s): .string(s)
                case .int(let i): .int(i)
                }
            }
        }
        if let format = field.dateFormat, case .string(let s) = value, let date = ShanghaiTime.parse(s) {
            value = .string(format.format(date))
        }
        switch (field.type, value) {
        case (.string?, .int(let i)): value = .string(String(i))
        case (.int?, .string(let s)): if let i = Int(s) { value = .int(i) }
        default: break
        }
        return value
    }

    private func body(_ values: [Placeholder: String], records: [UInt8]) -> [UInt8] {
        switch definition.body {
        case .json(let template):
            var out = JSONBytes(capacity: records.count + 256)
            writeTemplate(template, values, records: records, encrypted: definition.encryption != nil, to: &out)
            return out.bytes
        case .form(let fields):
            let recordsText = String(decoding: records, as: UTF8.self)
            return FormEncoding.encode(fields.map { field in
                (field.name, field.value.render { $0 == .records ? recordsText : values[$0] ?? "" })
            })
        }
    }

    private func writeTemplate(_ node: JSONNode, _ values: [Placeholder: String], records: [UInt8], encrypted: Bool, to out: inout JSONBytes) {
        switch node.kind {
        case .object(let members):
            out.byte("{")
            for (i, member) in members.enumerated() {
                if i > 0 { out.byte(",") }
                out.key(member.key)
                writeTemplate(member.value, values, records: records, encrypted: encrypted, to: &out)
            }
            out.byte("}")
        case .array(let items):
            out.byte("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.byte(",") }
                writeTemplate(item, values, records: records, encrypted: encrypted, to: &out)
            }
            out.byte("]")
        case .string(let s):
            let template = (try? Template.parse(s)) ?? Template(parts: [.literal(s)])
            if template.sole == .records {
                if encrypted { out.quoted(String(decoding: records, as: UTF8.self)) } else { out.bytes += records }
            } else {
                out.quoted(template.render { values[$0] ?? "" })
            }
        case .number(let n): out.raw(n)
        case .bool(let b): out.raw(b ? "true" : "false")
        case .null: out.raw("null")
        }
    }
}

/// Binary values (signatures, ciphertext) as text.
enum BinaryText {
    static func encode(_ bytes: [UInt8], _ encoding: AdapterDefinition.BinaryEncoding) -> String {
        switch encoding {
        case .hex: Hex.encode(bytes)
        case .hexUpper: Hex.encode(bytes).uppercased()
        case .base64: Data(bytes).base64EncodedString()
        }
    }

    static func decode(_ text: String, _ encoding: AdapterDefinition.BinaryEncoding) -> [UInt8]? {
        switch encoding {
        case .hex, .hexUpper: Hex.decode(text.lowercased())
        case .base64: Data(base64Encoded: text).map(Array.init)
        }
    }
}
