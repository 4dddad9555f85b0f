/// A step as flat fields, the way the store's columns and the JSON messages
/// hold it: `verification` only for verify, `newDeadline` only for extend,
/// `result` only for call-back; `text` is the reason, measures, explanation or note.
extension FollowUpStep {
    public struct Fields: Sendable, Hashable, Codable {
        public var kind: String
        public var day: String
        public var by: String
        public var text: String
        public var verification: String?
        public var newDeadline: String?
        public var result: String?

        public init(kind: String, day: String, by: String, text: String,
                    verification: String? = nil, newDeadline: String? = nil, result: String? = nil) {
            self.kind = kind
            self.day = day
            self.by = by
            self.text = text
            self.verification = verification
            self.newDeadline = newDeadline
            self.result = result
        }
    }

    public var fields: Fields {
        var fields = Fields(kind: kind, day: day.description, by: by, text: text)
        switch action {
        case .verify(let verdict, _): fields.verification = verdict.rawValue
        case .extend(let until, _): fields.newDeadline = until.description
        case .callBack(let outcome, _): fields.result = outcome.rawValue
        case .rectify, .feedback: break
        }
        return fields
    }

    /// The step the fields describe, or nil when one is missing or malformed.
    public init?(_ fields: Fields) {
        guard let day = CivilDate(fields.day) else { return nil }
        let text = fields.text
        let action: Action
        switch fields.kind {
        case "verify":
            guard let verdict = fields.verification.flatMap({ Verification(rawValue: $0) }) else { return nil }
            action = .verify(verdict, reason: text)
        case "rectify": action = .rectify(measures: text)
        case "extend":
            guard let until = fields.newDeadline.flatMap({ CivilDate($0) }) else { return nil }
            action = .extend(until: until, explanation: text)
        case "feedback": action = .feedback(note: text)
        case "call-back":
            guard let outcome = fields.result.flatMap({ CallBackResult(rawValue: $0) }) else { return nil }
            action = .callBack(outcome, note: text)
        default: return nil
        }
        self.init(action, on: day, by: fields.by)
    }
}
