import Foundation

/// The ordered scan rules of `config/scan-rules.json`: the first rule whose form
/// applies decides. Payloads that are empty, oversized, contain control
/// characters, match no rule or carry a malformed field are ignored with a
/// `ScanRejection` the caller logs (masked).
public struct ScanRuleSet: Sendable, Decodable {
    public var maximumPayloadLength: Int
    public var rules: [ScanRule]
    /// Checks the signature of codes for `signed` rules (the hall's code key);
    /// without one, a signed rule refuses every code it applies to.
    public var codeAuthenticator: (any CodeAuthenticator)?

    public init(rules: [ScanRule], maximumPayloadLength: Int = 1024, codeAuthenticator: (any CodeAuthenticator)? = nil) {
        self.rules = rules
        self.maximumPayloadLength = maximumPayloadLength
        self.codeAuthenticator = codeAuthenticator
    }

    private enum CodingKeys: String, CodingKey { case maximumPayloadLength, rules }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maximumPayloadLength = try container.decodeIfPresent(Int.self, forKey: .maximumPayloadLength) ?? 1024
        rules = try container.decode([ScanRule].self, forKey: .rules)
    }

    public static func decode(json data: Data) throws -> ScanRuleSet {
        try JSONDecoder().decode(ScanRuleSet.self, from: data)
    }

    public func classify(_ raw: String) -> ScanClassification {
        let payload = Self.trimmed(raw)
        let reject = { (reason: ScanRejection.Reason) in
            ScanClassification.ignored(ScanRejection(reason: reason, preview: ScanRejection.preview(of: payload)))
        }
        guard !payload.isEmpty else { return reject(.empty) }
        guard payload.utf8.count <= maximumPayloadLength else {
            return reject(.oversized(length: payload.utf8.count, limit: maximumPayloadLength))
        }
        guard !payload.unicodeScalars.contains(where: \.isControlCharacter) else {
            return reject(.controlCharacters)
        }
        // Before any rule: a hall's own case-number pattern may be wide enough
        // to take an ID card or a phone number.
        if let kind = PersonalDataPattern.match(payload) {
            return .ignored(.personalData(kind, length: payload.count))
        }
        for rule in rules {
            guard let match = rule.match(payload, authenticator: codeAuthenticator) else { continue }
            guard case .fields(let fields) = match else { return reject(.badSignature(rule: rule.name)) }
            for field in rule.kind.requiredFields where fields[field] == nil {
                return reject(.invalidField(rule: rule.name, field: field))
            }
            // A case number (or login, or task code) inside a QR or URL that is
            // really an ID or phone number is refused the same way.
            for field in ScanField.neverPersonal {
                if let value = fields[field], let kind = PersonalDataPattern.match(value) {
                    return .ignored(.personalData(kind, length: payload.count))
                }
            }
            for (field, value) in fields where !field.accepts(value) {
                return reject(.invalidField(rule: rule.name, field: field))
            }
            return .recognized(Self.scan(rule.kind, fields), rule: rule.name)
        }
        return reject(.unrecognized)
    }

    /// Scanners end a code with Enter (and sometimes Tab or spaces). Most
    /// payloads arrive without: those are not copied through Foundation's
    /// trimming, which cost about a quarter of classifying a scan.
    static func trimmed(_ raw: String) -> String {
        let space = CharacterSet.whitespacesAndNewlines
        guard let first = raw.unicodeScalars.first, let last = raw.unicodeScalars.last,
              !space.contains(first), !space.contains(last) else {
            return raw.trimmingCharacters(in: space)
        }
        return raw
    }

    private static func scan(_ kind: ScanKind, _ fields: [ScanField: String]) -> Scan {
        switch kind {
        case .caseReceipt:
            var national = NationalFields()
            for (field, value) in fields { if let name = field.national { national[name] = value } }
            return .caseReceipt(CaseTicket(projectNo: fields[.projectNo]!, taskCode: fields[.taskCode], taskName: fields[.taskName],
                                           national: national))
        case .staffLogin:
            let loginName = fields[.loginName]!
            return .staffLogin(StaffMember(loginName: loginName, name: fields[.name] ?? loginName))
        case .staffLogout:
            return .staffLogout(loginName: fields[.loginName])
        case .citizenIdentity:
            let property = fields[.userProp].flatMap(Int.init).flatMap(UserProperty.init(rawValue:)) ?? .person
            return .citizenIdentity(Evaluator(userName: PersonalData(fields[.name]!), certKey: PersonalData(fields[.certKey]!), userProp: property))
        }
    }
}
