import EvalCore
import Foundation

/// Request bodies, parsed strictly: the body must be a JSON object, unknown
/// fields are refused (a typo such as `projectno` would otherwise open an
/// anonymous-looking service silently), and every identifier is checked with
/// the scan rules' own field checks (`ScanField.accepts`).
public enum APIRequests {
    /// The national fields (`serviceNumber`, `mobile`, …) ride flat beside the
    /// case's own, named as the platform names them.
    public static let openFields: Set<String> = Set(["windowCode", "projectNo", "taskCode", "taskName", "staff", "citizen", "countdownSeconds"])
        .union(NationalField.allCases.map(\.rawValue))
    public static let staffFields: Set<String> = ["loginName", "name"]
    public static let citizenFields: Set<String> = ["userName", "certKey", "userProp"]
    public static let countdownRange = 5...600
    public static let defaultCountdown = 60

    public struct Open: Sendable, Equatable {
        public var opening: ServiceOpening
        public var countdownSeconds: Int
    }

    public static func open(_ body: Data) throws(APIError) -> Open {
        let object = try jsonObject(body)
        try refuseUnknown(object, allowed: openFields, in: "body")
        let windowCode = try requiredString(object, "windowCode", check: .loginName)
        let projectNo = try requiredString(object, "projectNo", check: .projectNo)
        let taskCode = try optionalString(object, "taskCode", check: .taskCode)
        let taskName = try optionalString(object, "taskName", check: .taskName)
        var staff: StaffMember?
        if let value = object["staff"], !(value is NSNull) {
            staff = try self.staff(value, in: "staff")
        }
        var citizen: Evaluator?
        if let value = object["citizen"], !(value is NSNull) {
            guard let fields = value as? [String: Any] else { throw .invalid("citizen must be an object") }
            try refuseUnknown(fields, allowed: citizenFields, in: "citizen")
            let name = try requiredString(fields, "userName", check: .name, in: "citizen.")
            let certKey = try requiredString(fields, "certKey", check: .certKey, in: "citizen.")
            var property = UserProperty.person
            if let raw = fields["userProp"], !(raw is NSNull) {
                guard let number = raw as? Int, let parsed = UserProperty(rawValue: number) else {
                    throw .invalid("citizen.userProp must be 1 (person) or 2 (legal entity)")
                }
                property = parsed
            }
            citizen = Evaluator(userName: PersonalData(name), certKey: PersonalData(certKey), userProp: property)
        }
        var countdown = defaultCountdown
        if let raw = object["countdownSeconds"], !(raw is NSNull) {
            guard let number = raw as? Int, countdownRange.contains(number) else {
                throw .invalid("countdownSeconds must be an integer from \(countdownRange.lowerBound) to \(countdownRange.upperBound)")
            }
            countdown = number
        }
        let national = try nationalFields(object)
        return Open(opening: ServiceOpening(windowCode: windowCode,
                                            ticket: CaseTicket(projectNo: projectNo, taskCode: taskCode, taskName: taskName,
                                                               national: national),
                                            staff: staff, citizen: citizen),
                    countdownSeconds: countdown)
    }

    public static let detailFields: Set<String> = ["evalDetail", "writingEvaluation"]
    /// The citizen's own words: a sentence or two, not a letter.
    public static let maximumWritingCharacters = 500

    /// `POST /v1/services/{id}/detail`: the reasons as the platform writes
    /// them (`"213,214"`, or `[213, 214]`) and/or the citizen's words. The
    /// codes are checked against the pressed level by `CounterAPI`.
    public struct Detail: Sendable, Equatable {
        public var evalDetail: [Int]?
        public var writingEvaluation: PersonalData?
    }

    public static func detail(_ body: Data) throws(APIError) -> Detail {
        let object = try jsonObject(body)
        try refuseUnknown(object, allowed: detailFields, in: "body")
        let detail = try detail(object)
        guard detail.evalDetail != nil || detail.writingEvaluation != nil else {
            throw .invalid("send evalDetail, writingEvaluation or both")
        }
        return detail
    }

    public static let followUpFields: Set<String> = Set(["windowCode", "projectNo", "satisfaction"]).union(detailFields)

    /// `POST /v1/follow-ups`: `windowCode`, `projectNo`, `satisfaction` (5
    /// 非常满意 … 1 非常不满意), and optionally `evalDetail`, `writingEvaluation`.
    public static func followUp(_ body: Data) throws(APIError) -> FollowUpRating {
        let object = try jsonObject(body)
        try refuseUnknown(object, allowed: followUpFields, in: "body")
        let windowCode = try requiredString(object, "windowCode", check: .loginName)
        let projectNo = try requiredString(object, "projectNo", check: .projectNo)
        guard let number = object["satisfaction"] as? Int, let rating = Rating(rawValue: number) else {
            throw .invalid("satisfaction is required: 5 (非常满意) … 1 (非常不满意)")
        }
        let detail = try detail(object)
        return FollowUpRating(windowCode: windowCode, projectNo: projectNo, satisfaction: rating,
                              evalDetail: detail.evalDetail, writingEvaluation: detail.writingEvaluation)
    }

    private static func detail(_ object: [String: Any]) throws(APIError) -> Detail {
        var detail = Detail()
        if let raw = object["evalDetail"], !(raw is NSNull) {
            if let text = raw as? String {
                do { detail.evalDetail = try ReasonCatalog.parse(text) } catch { throw .invalid(error.description) }
            } else if let list = raw as? [Any], list.allSatisfy({ $0 is Int }) {
                detail.evalDetail = list.map { $0 as! Int }
            } else {
                throw .invalid("evalDetail must be codes separated by commas (\"213,214\") or an array of codes")
            }
        }
        if let raw = object["writingEvaluation"], !(raw is NSNull) {
            guard let words = raw as? String else { throw .invalid("writingEvaluation must be a string") }
            let trimmed = words.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw .invalid("writingEvaluation is empty") }
            guard trimmed.count <= maximumWritingCharacters else {
                throw .invalid("writingEvaluation is longer than \(maximumWritingCharacters) characters")
            }
            // Control characters (line breaks included) are refused, never stored or sent.
            guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
                throw .invalid("writingEvaluation holds control characters")
            }
            detail.writingEvaluation = PersonalData(trimmed)
        }
        return detail
    }

    /// `PUT /v1/windows/{windowCode}/staff`: `{"loginName":…, "name":…}`.
    public static func staff(_ body: Data) throws(APIError) -> StaffMember {
        try staff(try jsonObject(body), in: "body")
    }

    public static func windowCode(_ text: String) throws(APIError) -> String {
        guard ScanField.loginName.accepts(text) else { throw .invalid("windowCode must be 1–64 letters, digits, '-', '_' or '.'") }
        return text
    }

    // MARK: Helpers

    /// The national fields of an open body, each checked (`NationalField.accepts`).
    /// A refused personal value is never echoed.
    static func nationalFields(_ object: [String: Any]) throws(APIError) -> NationalFields {
        var national = NationalFields()
        for field in NationalField.allCases {
            guard let raw = object[field.rawValue], !(raw is NSNull) else { continue }
            guard let value = raw as? String else { throw .invalid("\(field.rawValue) must be a string") }
            guard field.accepts(value) else { throw .invalid("\(field.rawValue) is not acceptable (\(field.rule))") }
            if !field.isPersonal, let kind = PersonalDataPattern.match(value) {
                throw .invalid("\(field.rawValue) is \(kind.description): personal data is refused (rule 6)")
            }
            national[field] = value
        }
        return national
    }

    private static func staff(_ value: Any, in place: String) throws(APIError) -> StaffMember {
        guard let fields = value as? [String: Any] else { throw .invalid("\(place) must be an object") }
        try refuseUnknown(fields, allowed: staffFields, in: place)
        let prefix = place == "body" ? "" : "\(place)."
        let loginName = try requiredString(fields, "loginName", check: .loginName, in: prefix)
        let name = try optionalString(fields, "name", check: .name, in: prefix) ?? loginName
        return StaffMember(loginName: loginName, name: name)
    }

    private static func jsonObject(_ body: Data) throws(APIError) -> [String: Any] {
        guard !body.isEmpty else { throw .invalid("the body must be a JSON object") }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: body) } catch { throw APIError(400, "malformed-json", "the body is not valid JSON") }
        guard let object = parsed as? [String: Any] else { throw .invalid("the body must be a JSON object") }
        return object
    }

    private static func refuseUnknown(_ object: [String: Any], allowed: Set<String>, in place: String) throws(APIError) {
        let unknown = Set(object.keys).subtracting(allowed).sorted()
        guard unknown.isEmpty else {
            // Only the names, never the values (they may be identity data).
            throw APIError(400, "unknown-field", "unknown field(s) in \(place): \(unknown.map { String($0.prefix(40)) }.joined(separator: ", "))")
        }
    }

    private static func requiredString(_ object: [String: Any], _ key: String, check: ScanField, in prefix: String = "") throws(APIError) -> String {
        guard let value = try optionalString(object, key, check: check, in: prefix) else { throw .invalid("\(prefix)\(key) is required") }
        return value
    }

    private static func optionalString(_ object: [String: Any], _ key: String, check: ScanField, in prefix: String = "") throws(APIError) -> String? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? String else { throw .invalid("\(prefix)\(key) must be a string") }
        guard check.accepts(value) else { throw .invalid("\(prefix)\(key) is not acceptable (\(rule(check)))") }
        if ScanField.neverPersonal.contains(check), let kind = PersonalDataPattern.match(value) {
            throw .invalid("\(prefix)\(key) is \(kind.description), not \(key): personal data is refused (rule 6)")
        }
        return value
    }

    private static func rule(_ field: ScanField) -> String {
        switch field {
        case .projectNo, .taskCode, .loginName: "1–64 ASCII letters, digits, '-', '_' or '.'"
        case .certKey: "1–32 ASCII letters and digits"
        default: "1–100 characters, no control characters"
        }
    }
}
