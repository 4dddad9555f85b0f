/// What the unit found when it verified a bad review (核实).
public enum Verification: String, Sendable, Hashable, Codable, CaseIterable {
    /// The complaint stands: it must be rectified.
    case valid
    /// 误评: closed with the reason, outside the rates.
    case mistaken
    /// 恶意差评: closed with the reason, outside the rates.
    case malicious

    /// Whether the review stays in the rates' denominator.
    public var countsInRates: Bool { self == .valid }
}

/// What the call-back (回访) of a real-name bad review found.
public enum CallBackResult: String, Sendable, Hashable, Codable, CaseIterable {
    case satisfied
    case notSatisfied
    /// Nobody answered: the call-back is not done and must be retried.
    case unreachable
}

/// One operator step in a bad review's follow-up. Steps are appended, never
/// edited: the 台账 is the list of steps, the state is their fold.
public struct FollowUpStep: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// 核实, with the reason found.
        case verify(Verification, reason: String)
        /// 整改 done (on the step's day), with the measures taken.
        case rectify(measures: String)
        /// Rectification cannot be done in time: why, and the new last day.
        case extend(until: CivilDate, explanation: String)
        /// The result fed back to the citizen (反馈).
        case feedback(note: String)
        /// The call-back of a real-name review (回访).
        case callBack(CallBackResult, note: String)
    }

    public var action: Action
    /// The day the step happened (Asia/Shanghai civil date).
    public var day: CivilDate
    /// Who did it (operator login or name).
    public var by: String

    public init(_ action: Action, on day: CivilDate, by: String) {
        self.action = action
        self.day = day
        self.by = by
    }

    /// The step's kind as stored and shown: verify, rectify, extend, feedback, call-back.
    public var kind: String {
        switch action {
        case .verify: "verify"
        case .rectify: "rectify"
        case .extend: "extend"
        case .feedback: "feedback"
        case .callBack: "call-back"
        }
    }

    /// The step's free text: reason, measures, explanation or note.
    public var text: String {
        switch action {
        case .verify(_, let reason): reason
        case .rectify(let measures): measures
        case .extend(_, let explanation): explanation
        case .feedback(let note): note
        case .callBack(_, let note): note
        }
    }
}
