/// A window's keypad reason step for bad reviews (issue 26): after a 不满意
/// or 非常不满意 press, the keypad prompts (`CounterPrompt.reason`) and the
/// next press within `timeoutSeconds` picks one of up to five configured
/// reason codes of that level. The buttons pick in keypad order: the first
/// button (非常满意, 5) the first code … the fifth (非常不满意, 1) the fifth.
/// The evaluation is stored at the rating press and held for the step; the
/// pick releases it with its code, the timeout without one.
public struct ReasonStep: Hashable, Sendable, Codable {
    public static let maximumCodes = 5

    /// Codes offered after a 不满意 press (national range 207–214).
    public var dissatisfied: [Int]
    /// Codes offered after a 非常不满意 press (108–115).
    public var veryDissatisfied: [Int]
    public var timeoutSeconds: Int

    public init(dissatisfied: [Int] = [], veryDissatisfied: [Int] = [], timeoutSeconds: Int = 10) {
        self.dissatisfied = dissatisfied
        self.veryDissatisfied = veryDissatisfied
        self.timeoutSeconds = timeoutSeconds
    }

    /// The codes offered after a press of `level` (none for a good rating).
    public func codes(for level: Rating) -> [Int] {
        switch level {
        case .dissatisfied: dissatisfied
        case .veryDissatisfied: veryDissatisfied
        default: []
        }
    }

    /// The code `button` picks after a rating of `level`, nil for a button
    /// with no code.
    public func code(button: Rating, level: Rating) -> Int? {
        let codes = codes(for: level)
        let index = Rating.verySatisfied.rawValue - button.rawValue
        return codes.indices.contains(index) ? codes[index] : nil
    }
}

/// The reason a keypad press picked for an evaluation held for it (none:
/// a button without a code; the evaluation is released without one).
public struct ReasonPick: Hashable, Sendable {
    public var evaluationId: EvaluationID
    public var codes: [Int]
    public var windowCode: String

    public init(evaluationId: EvaluationID, codes: [Int], windowCode: String) {
        self.evaluationId = evaluationId
        self.codes = codes
        self.windowCode = windowCode
    }
}
