/// The optional fields provincial platforms take beyond DOMAIN.md's table
/// (the national field set, issue 26): the platform's own names, each absent
/// unless something set it. A case QR, the counter API and the window's
/// configuration give them; the case's value wins over the window's.
///
/// `handleUser*` (the agent acting for the applicant) and `mobile` (for the
/// call-back) are personal data: masked in every output, purged with the
/// evaluator's identity.
public struct NationalFields: Hashable, Sendable, Codable {
    /// `2` when the data goes on to the national platform (gtmap).
    public var version: String?
    public var evaversion: String?
    public var serviceNumber: String?
    /// 即办件 / 承诺件, in the province's coding.
    public var taskType: String?
    public var promisetime: String?
    public var handleUserName: PersonalData?
    public var handleUserPageType: PersonalData?
    public var handleUserPageCode: PersonalData?
    /// The evaluator's ID document type.
    public var userPageType: String?
    public var mobile: PersonalData?
    /// `yyyy-MM-dd HH:mm:ss`, Asia/Shanghai.
    public var applyTime: String?
    public var dataSource: String?

    public init() {}

    public var isEmpty: Bool { self == NationalFields() }

    public var hasPersonalData: Bool {
        handleUserName != nil || handleUserPageType != nil || handleUserPageCode != nil || mobile != nil
    }

    /// The same fields without the personal ones.
    public var withoutPersonalData: NationalFields {
        var copy = self
        copy.handleUserName = nil
        copy.handleUserPageType = nil
        copy.handleUserPageCode = nil
        copy.mobile = nil
        return copy
    }

    /// These fields, each unset one taken from `base` (the case over the window).
    public func over(_ base: NationalFields) -> NationalFields {
        var out = base
        for field in NationalField.allCases {
            if let value = self[field] { out[field] = value }
        }
        return out
    }

    /// A field by name, as text (personal values in clear: callers that show
    /// it mask it through `NationalField.isPersonal`).
    public subscript(field: NationalField) -> String? {
        get {
            switch field {
            case .version: version
            case .evaversion: evaversion
            case .serviceNumber: serviceNumber
            case .taskType: taskType
            case .promisetime: promisetime
            case .handleUserName: handleUserName?.revealed
            case .handleUserPageType: handleUserPageType?.revealed
            case .handleUserPageCode: handleUserPageCode?.revealed
            case .userPageType: userPageType
            case .mobile: mobile?.revealed
            case .applyTime: applyTime
            case .dataSource: dataSource
            }
        }
        set {
            switch field {
            case .version: version = newValue
            case .evaversion: evaversion = newValue
            case .serviceNumber: serviceNumber = newValue
            case .taskType: taskType = newValue
            case .promisetime: promisetime = newValue
            case .handleUserName: handleUserName = newValue.map(PersonalData.init)
            case .handleUserPageType: handleUserPageType = newValue.map(PersonalData.init)
            case .handleUserPageCode: handleUserPageCode = newValue.map(PersonalData.init)
            case .userPageType: userPageType = newValue
            case .mobile: mobile = newValue.map(PersonalData.init)
            case .applyTime: applyTime = newValue
            case .dataSource: dataSource = newValue
            }
        }
    }

    /// `name=value` pairs for logs and the CLI, personal values masked.
    public var maskedDescription: String {
        NationalField.allCases.compactMap { field in
            self[field].map { "\(field.rawValue)=\(field.isPersonal ? Masking.mask($0) : $0)" }
        }.joined(separator: " ")
    }
}

/// The names of the national fields, as the platform spells them, with the
/// check each value passes wherever it enters (scan, API, configuration).
public enum NationalField: String, Sendable, CaseIterable, Codable {
    case version, evaversion, serviceNumber, taskType, promisetime
    case handleUserName, handleUserPageType, handleUserPageCode, userPageType, mobile, applyTime, dataSource

    public var isPersonal: Bool {
        switch self {
        case .handleUserName, .handleUserPageType, .handleUserPageCode, .mobile: true
        default: false
        }
    }

    /// Whether `value` may be stored and sent as this field. Conservative:
    /// codes are short ASCII, a name any text without control characters.
    public func accepts(_ value: String) -> Bool {
        guard !value.isEmpty, !value.unicodeScalars.contains(where: \.isControlCharacter) else { return false }
        func ascii(_ max: Int, _ extra: String = "-_.") -> Bool {
            value.count <= max && value.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || extra.unicodeScalars.contains($0) }
        }
        switch self {
        case .version, .evaversion, .taskType, .userPageType, .handleUserPageType, .dataSource: return ascii(16)
        case .serviceNumber: return ascii(64)
        case .handleUserPageCode: return ascii(32, "")
        case .promisetime: return ascii(32, "-_.: ")
        case .handleUserName: return value.count <= 100
        case .mobile: return value.count <= 20 && value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "+- ".unicodeScalars.contains($0) }
        case .applyTime: return value.count == 19 && ShanghaiTime.parse(value) != nil
        }
    }

    /// What `accepts` wants, for an error message.
    public var rule: String {
        switch self {
        case .version, .evaversion, .taskType, .userPageType, .handleUserPageType, .dataSource: "1–16 ASCII letters, digits, '-', '_' or '.'"
        case .serviceNumber: "1–64 ASCII letters, digits, '-', '_' or '.'"
        case .handleUserPageCode: "1–32 ASCII letters and digits"
        case .promisetime: "1–32 ASCII letters, digits, '-', '_', '.', ':' or spaces"
        case .handleUserName: "1–100 characters, no control characters"
        case .mobile: "1–20 digits, '+', '-' or spaces"
        case .applyTime: "yyyy-MM-dd HH:mm:ss"
        }
    }

    /// The fields a window's configuration may set (the rest belong to a case).
    public static let windowFields: [NationalField] = [.version, .evaversion, .taskType, .promisetime, .dataSource]
}
