import EvalCore

/// A code a technician prints for the counter: a staff badge, a logout code,
/// a case code, in the shipped rules' text forms (`STAFF:login[:name]`,
/// `LOGOUT[:login]`, the bare case number), signed with the hall's key.
public enum CounterCode: Sendable, Equatable {
    case staff(loginName: String, name: String?)
    case logout(loginName: String?)
    case caseReceipt(projectNo: String)

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// The text before the signature.
    public var payload: String {
        switch self {
        case .staff(let login, let name): "STAFF:\(login)" + (name.map { ":\($0)" } ?? "")
        case .logout(let login): "LOGOUT" + (login.map { ":\($0)" } ?? "")
        case .caseReceipt(let projectNo): projectNo
        }
    }

    /// What the counter must make of the code.
    public var scan: Scan {
        switch self {
        case .staff(let login, let name): .staffLogin(StaffMember(loginName: login, name: name ?? login))
        case .logout(let login): .staffLogout(loginName: login)
        case .caseReceipt(let projectNo): .caseReceipt(CaseTicket(projectNo: projectNo))
        }
    }

    /// Fields the scan rules would take: the rules' alphabets, and a name
    /// (at most 32 characters) without `:` or `~`, which separate the parts.
    public func validate() throws(Invalid) {
        switch self {
        case .staff(let login, let name):
            try Self.check(.loginName, login, "LOGIN")
            if let name {
                guard ScanField.name.accepts(name), name.count <= 32, !name.contains(":"), !name.contains("~") else {
                    throw Invalid(description: "--name must be 1–32 characters without ':' or '~', got \"\(name)\"")
                }
            }
        case .logout(let login):
            if let login { try Self.check(.loginName, login, "LOGIN") }
        case .caseReceipt(let projectNo):
            try Self.check(.projectNo, projectNo, "PROJECTNO")
        }
        if PersonalDataPattern.match(payload) != nil {
            throw Invalid(description: "\(payload) has the form of an ID, phone or bank card number: the counter refuses it")
        }
    }

    private static func check(_ field: ScanField, _ value: String, _ argument: String) throws(Invalid) {
        guard field.accepts(value) else {
            throw Invalid(description: "\(argument) must be 1–64 ASCII letters, digits and -_. , got \"\(value)\"")
        }
        if let kind = PersonalDataPattern.match(value) {
            throw Invalid(description: "\(argument) is \(kind.description): the counter refuses it")
        }
    }

    /// `payload~signature`.
    public func signed(with authenticator: any CodeAuthenticator) -> String {
        CodeSignature.sign(payload, with: authenticator)
    }
}
