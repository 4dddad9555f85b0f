import EvalCore

/// A platform dialect as data (issue 26 item 3): what the records look like,
/// the envelope around them, how a request is signed and encrypted and how
/// the answer is read. `DefinedAdapter` interprets it for evald and
/// platform-sim alike; `AdapterDefinition.load` reads it from a JSON file
/// (docs/uplink.md, "Writing an adapter definition").
public struct AdapterDefinition: Sendable {
    public var name: String
    public var comment: String?
    /// Appended to `[platform] base_url`, e.g. `/evaluations`.
    public var endpoint: String
    public var maxBatchSize: Int
    public var fields: [Field]
    public var body: Body
    public var headers: [(name: String, value: Template)]
    public var signature: Signature?
    public var encryption: Encryption?
    /// The form of `${time}` (see `DateFormat`).
    public var timeFormat: DateFormat
    public var response: Response

    /// One field of a record on the wire.
    public struct Field: Sendable {
        /// The platform's name for it.
        public var name: String
        /// The evald value it carries.
        public var source: SourceField
        /// The JSON type written; nil: the source's own (or the map's).
        public var type: ValueType?
        /// Source value as text → platform value (satisfaction direction, `pf`, codes).
        public var map: [String: MappedValue]
        /// Date-time fields only: the platform's form.
        public var dateFormat: DateFormat?
        /// What to send when evald has no value: nothing (the default) or an empty string.
        public var whenAbsent: Absent
        /// `evaluatedPersonInfo` only: the platform's names of the person keys.
        public var personKeys: (loginName: String, name: String)
    }

    public enum ValueType: String, Sendable { case string, int }
    public enum Absent: String, Sendable { case omit, empty }

    public enum MappedValue: Sendable, Hashable {
        case string(String)
        case int(Int)
        var text: String {
            switch self {
            case .string(let s): s
            case .int(let i): String(i)
            }
        }
    }

    public enum Body: Sendable {
        /// A JSON template: a string exactly `${records}` becomes the record
        /// array (or, encrypted, the ciphertext string); other strings are
        /// templates; everything else is written as is, in the given order.
        case json(JSONNode)
        /// `application/x-www-form-urlencoded` fields in order; `${records}` is the records' JSON text.
        case form([(name: String, value: Template)])
    }

    public struct Signature: Sendable {
        public var algorithm: SigningAlgorithm
        /// The exact string signed.
        public var string: Template
        public var encoding: BinaryEncoding
    }

    public enum SigningAlgorithm: String, Sendable, CaseIterable {
        case hmacSHA256 = "hmac-sha256"
        case hmacSM3 = "hmac-sm3"
        /// A plain digest of the string (which then should hold `${secret}`).
        case sm3
        case sha256
        /// SM2 over SM3 with the default ID; the app secret file holds the PEM private key.
        case sm2SM3 = "sm2-sm3"
    }

    public enum BinaryEncoding: String, Sendable, CaseIterable {
        case hex
        case hexUpper = "HEX"
        case base64
    }

    public struct Encryption: Sendable {
        public var mode: SM4Cipher.Mode
        public var key: KeySource
        public var iv: [UInt8]
        public var encoding: BinaryEncoding
    }

    public enum KeySource: Sendable, Hashable {
        /// The app secret is 32 hex digits: the 16-byte SM4 key.
        case secretHex
        /// A file holding 32 hex digits (when the secret is an SM2 key).
        case file(String)
    }

    public struct Response: Sendable {
        /// Statuses whose body (or header) is read for the outcome.
        public var okStatuses: Set<Int>
        /// Other statuses with a meaning; any status neither here nor in
        /// `okStatuses` is a transient server error, retried with backoff.
        public var statuses: [Int: StatusMeaning]
        /// A success marker to check first (e.g. a header the platform sets).
        public var success: Success?
        public var reading: Reading
        public var accepted: [String]
        public var duplicate: [String]
        public var rejected: [String]
        /// Codes meaning "try again later".
        public var transient: [String]
    }

    public enum StatusMeaning: String, Sendable, CaseIterable {
        case unauthorized, malformed, tooLarge, throttled, transient
    }

    public struct Success: Sendable {
        public enum Place: String, Sendable { case header, body }
        public var place: Place
        /// Header name, or dotted path in the JSON body.
        public var key: String
        public var values: [String]
    }

    public enum Reading: Sendable {
        /// One result per record: a list at `list`, each with the record's id, a status code and a reason.
        case perRecord(list: String, id: String, status: String, reason: String?)
        /// One code for the whole batch, in the body (dotted path) or a header.
        case batch(place: Success.Place, code: String, reason: String?)
    }

    /// Where every `${…}` placeholder can appear.
    public var usesNonce: Bool { placeholders.contains(.nonce) }
    public var usesTime: Bool { placeholders.contains(.timestamp) || placeholders.contains(.timestampSeconds) || placeholders.contains(.time) }

    /// The signature travels in the body, so it cannot sign the body.
    public var signatureInBody: Bool {
        switch body {
        case .json(let node): Self.placeholders(in: node).contains(.signature)
        case .form(let fields): fields.contains { $0.value.placeholders.contains(.signature) }
        }
    }

    var placeholders: Set<Placeholder> {
        var all = Set<Placeholder>()
        for header in headers { all.formUnion(header.value.placeholders) }
        if let signature { all.formUnion(signature.string.placeholders) }
        switch body {
        case .json(let node): all.formUnion(Self.placeholders(in: node))
        case .form(let fields): for field in fields { all.formUnion(field.value.placeholders) }
        }
        return all
    }

    static func placeholders(in node: JSONNode) -> Set<Placeholder> {
        switch node.kind {
        case .object(let members): members.reduce(into: []) { $0.formUnion(placeholders(in: $1.value)) }
        case .array(let items): items.reduce(into: []) { $0.formUnion(placeholders(in: $1)) }
        case .string(let s): (try? Template.parse(s))?.placeholders ?? []
        default: []
        }
    }
}
