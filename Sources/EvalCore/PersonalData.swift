/// Evaluator identity (rule 6: 保护评价人信息).
///
/// Everything a log line, `print`, string interpolation, `dump` or a debugger
/// would show is masked; the clear text is reachable only through `revealed`,
/// which the platform payload encoder and `evalctl --reveal` call on purpose.
/// Codable keeps the clear text because the queue must store what it will send.
public struct PersonalData: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The clear text. Call sites are the audit trail: grep for `.revealed`.
    public var revealed: String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var masked: String { Masking.mask(value) }
    public var description: String { masked }
    public var debugDescription: String { "PersonalData(\(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

public enum Masking {
    /// Keeps just enough to tell records apart: a name keeps its first character
    /// (张** ), an id number its first 4 and last 4 (1101**********1234); shorter
    /// values keep only their first character.
    public static func mask(_ value: String) -> String {
        let chars = Array(value)
        switch chars.count {
        case 0: return ""
        case 1: return "*"
        case 2...8: return String(chars[0]) + String(repeating: "*", count: chars.count - 1)
        default:
            return String(chars.prefix(4)) + String(repeating: "*", count: chars.count - 8) + String(chars.suffix(4))
        }
    }
}

/// 1 natural person, 2 legal entity.
public enum UserProperty: Int, Sendable, Codable {
    case person = 1
    case legalEntity = 2
}

/// The evaluator of a real-name rating. Absent for anonymous ratings.
public struct Evaluator: Hashable, Sendable, Codable, CustomStringConvertible {
    public var userName: PersonalData
    public var certKey: PersonalData
    public var userProp: UserProperty

    public init(userName: PersonalData, certKey: PersonalData, userProp: UserProperty = .person) {
        self.userName = userName
        self.certKey = certKey
        self.userProp = userProp
    }

    public var description: String { "Evaluator(\(userName.masked), \(certKey.masked), userProp=\(userProp.rawValue))" }
}

/// A member of the window staff being evaluated (`evaluatedPersonInfo`).
public struct StaffMember: Hashable, Sendable, Codable {
    public var loginName: String
    public var name: String

    public init(loginName: String, name: String) {
        self.loginName = loginName
        self.name = name
    }
}
