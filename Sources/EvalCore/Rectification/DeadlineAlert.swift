/// A local alert about a bad review's rectification deadline (work plan
/// 三(三) 3: rectify within 15 working days): once when the deadline is near,
/// once when it has passed. An extension sets a new deadline, and the alerts
/// are given again for it.
public struct DeadlineAlert: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case near = "rectification-deadline-near"
        case passed = "rectification-deadline-passed"
    }

    /// What makes an alert "the same one" for remembering it was given.
    public struct Key: Hashable, Sendable {
        public var evaluationId: EvaluationID
        public var kind: Kind
        public var deadline: CivilDate

        public init(evaluationId: EvaluationID, kind: Kind, deadline: CivilDate) {
            self.evaluationId = evaluationId
            self.kind = kind
            self.deadline = deadline
        }
    }

    public var evaluationId: EvaluationID
    public var kind: Kind
    public var deadline: CivilDate
    /// Working days from today to the deadline: 0 on it, negative once past.
    public var workingDaysLeft: Int

    public init(evaluationId: EvaluationID, kind: Kind, deadline: CivilDate, workingDaysLeft: Int) {
        self.evaluationId = evaluationId
        self.kind = kind
        self.deadline = deadline
        self.workingDaysLeft = workingDaysLeft
    }

    public var key: Key { Key(evaluationId: evaluationId, kind: kind, deadline: deadline) }

    /// The alerts due `today` for these follow-ups and not given before:
    /// `passed` for an unrectified review after its deadline, otherwise `near`
    /// when at most `nearWorkingDays` working days are left. Mistaken and
    /// malicious reviews, and rectified ones, get none.
    public static func due(
        _ followUps: [(EvaluationID, BadReviewFollowUp)], today: CivilDate, calendar: WorkingDayCalendar,
        nearWorkingDays: Int, alreadyGiven: Set<Key>
    ) -> [DeadlineAlert] {
        followUps.compactMap { id, followUp in
            guard let left = followUp.workingDaysLeft(at: today, calendar: calendar) else { return nil }
            let kind: Kind
            if followUp.isOverdue(at: today) {
                kind = .passed
            } else if left <= nearWorkingDays {
                kind = .near
            } else {
                return nil
            }
            let alert = DeadlineAlert(evaluationId: id, kind: kind, deadline: followUp.deadline, workingDaysLeft: left)
            return alreadyGiven.contains(alert.key) ? nil : alert
        }
    }
}
