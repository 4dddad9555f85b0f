/// What a scanned code means to the counter session, once a rule has classified it.
public enum Scan: Hashable, Sendable {
    /// A case receipt (办件回执): the service being rated.
    case caseReceipt(CaseTicket)
    /// A staff badge: this member serves at the window until logout.
    case staffLogin(StaffMember)
    /// A logout badge or code; the login name, when present, must match.
    case staffLogout(loginName: String?)
    /// The citizen's identity QR (一部手机办事通): the next rating is real-name.
    case citizenIdentity(Evaluator)
}

/// The case a service is about, from a case receipt scan.
public struct CaseTicket: Hashable, Sendable, Codable {
    public var projectNo: String
    public var taskCode: String?
    public var taskName: String?
    /// The case's national fields (`serviceNumber`, `mobile`, …), from its QR
    /// or the business system; nil when it gave none.
    public var national: NationalFields?
    /// Set by the counter API when the business page may send the reasons
    /// after the press (`[api] detail_window_seconds`): the evaluation is held
    /// that long (`Evaluation.heldUntil`). Never set by a scan.
    public var detailWindowSeconds: Int?

    public init(projectNo: String, taskCode: String? = nil, taskName: String? = nil, national: NationalFields? = nil) {
        self.projectNo = projectNo
        self.taskCode = taskCode
        self.taskName = taskName
        self.national = national.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The kinds a rule may classify a scan as; spelled as in `scan-rules.json`.
public enum ScanKind: String, Codable, Sendable, CaseIterable {
    case caseReceipt = "case"
    case staffLogin = "staff"
    case citizenIdentity = "citizen"
    case staffLogout = "logout"

    /// Fields a rule of this kind must extract, else the scan is ignored.
    var requiredFields: [ScanField] {
        switch self {
        case .caseReceipt: [.projectNo]
        case .staffLogin: [.loginName]
        case .citizenIdentity: [.name, .certKey]
        case .staffLogout: []
        }
    }
}

/// The fields a rule can extract, named as in the platform's data.
public enum ScanField: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case projectNo, taskCode, taskName, loginName, name, certKey, userProp
    // The national fields a case QR may carry (issue 26), named as the platform names them.
    case version, evaversion, serviceNumber, taskType, promisetime
    case handleUserName, handleUserPageType, handleUserPageCode, userPageType, mobile, applyTime, dataSource

    /// The national field this scan field is, if it is one.
    public var national: NationalField? { NationalField(rawValue: rawValue) }

    /// Identifiers that are logged, stored and sent as the service's own: a
    /// citizen's ID, phone or bank card number is never one of them.
    public static let neverPersonal: [ScanField] = [.projectNo, .taskCode, .loginName, .serviceNumber]

    /// Generous limits: real values are far shorter; longer means garbage.
    var maximumLength: Int {
        switch self {
        case .taskName, .name: 100
        case .certKey: 32
        case .userProp: 1
        default: 64
        }
    }

    /// Identifiers that end up in logs and the ledger keep a conservative
    /// alphabet, so a scan can never smuggle quotes, separators or escapes.
    /// The counter API checks its fields with the same rules.
    public func accepts(_ value: String) -> Bool {
        if let national { return national.accepts(value) }
        guard !value.isEmpty, value.count <= maximumLength else { return false }
        guard !value.unicodeScalars.contains(where: \.isControlCharacter) else { return false }
        switch self {
        case .projectNo, .taskCode, .loginName:
            return value.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "-_.".unicodeScalars.contains($0) }
        case .certKey:
            return value.unicodeScalars.allSatisfy(\.isASCIIAlphanumeric)
        case .userProp:
            return value == "1" || value == "2"
        case .taskName, .name:
            return true
        default:
            return false
        }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("0"..."9").contains(self) || ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }

    /// General category Cc, which is exactly U+0000–U+001F and U+007F–U+009F:
    /// compared, not looked up in the Unicode tables (every scan and each of
    /// its fields is checked, and the lookup was a tenth of classifying one).
    var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
