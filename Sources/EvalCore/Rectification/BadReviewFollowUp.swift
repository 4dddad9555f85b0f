/// The follow-up of one bad review (rule 4): its steps folded into a state.
///
/// Pure: no clock and no I/O. The calendar is handed in once, for the
/// 15-working-day deadline; "overdue" is asked at a day the caller chooses.
///
///     open ──verify valid──▶ verified ──rectify──▶ rectified ──feedback (+ call-back)──▶ closed
///       │                     └─extend (new deadline)─┘
///       └──verify mistaken/malicious──▶ closed (outside the rates)
public struct BadReviewFollowUp: Sendable, Hashable {
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        case open, verified, rectified, closed
    }

    /// What the follow-up needs to know about the review itself.
    public struct Review: Sendable, Hashable {
        /// The day of the rating (Asia/Shanghai).
        public var ratedOn: CivilDate
        /// A real-name review needs a call-back.
        public var realName: Bool

        public init(ratedOn: CivilDate, realName: Bool) {
            self.ratedOn = ratedOn
            self.realName = realName
        }
    }

    public let review: Review
    /// The last day of rectification before any extension.
    public let initialDeadline: CivilDate
    public private(set) var steps: [FollowUpStep] = []
    public private(set) var stage: Stage = .open
    public private(set) var verification: Verification?
    /// The last day of rectification: 15 working days, or the last extension's date.
    public private(set) var deadline: CivilDate
    public private(set) var rectifiedOn: CivilDate?
    public private(set) var feedbackOn: CivilDate?
    /// The day of the completed call-back (satisfied or not satisfied).
    public private(set) var calledBackOn: CivilDate?
    public private(set) var callBackResult: CallBackResult?
    /// The last call-back found nobody: another one is needed.
    public private(set) var callBackRetryNeeded = false
    public private(set) var closedOn: CivilDate?

    /// A follow-up with no steps yet, its deadline `workingDays` after the rating.
    public init(_ review: Review, calendar: WorkingDayCalendar, workingDays: Int = 15) {
        self.init(review, deadline: calendar.adding(workingDays: workingDays, to: review.ratedOn))
    }

    /// A follow-up with no steps yet and a deadline computed earlier (the store keeps it).
    public init(_ review: Review, deadline: CivilDate) {
        self.review = review
        initialDeadline = deadline
        self.deadline = deadline
    }

    /// Folds `steps` in order; the first refused step throws.
    public init(_ review: Review, deadline: CivilDate, steps: [FollowUpStep]) throws(FollowUpError) {
        self.init(review, deadline: deadline)
        for step in steps { try apply(step) }
    }

    /// Whether it stays in the rates' denominator: not verified as mistaken or malicious.
    public var countsInRates: Bool { verification?.countsInRates ?? true }

    /// A real-name review in the denominator needs a call-back.
    public var callBackNeeded: Bool { review.realName && countsInRates }

    public var callBackDone: Bool { calledBackOn != nil }

    public var isRectified: Bool { rectifiedOn != nil }

    /// The evaluator's identity is kept only while a call-back still needs it.
    public var identityNeeded: Bool { callBackNeeded && !callBackDone }

    /// Not rectified although `day` is after the deadline (mistaken and malicious reviews never are).
    public func isOverdue(at day: CivilDate) -> Bool {
        countsInRates && !isRectified && day > deadline
    }

    /// Working days from `day` to the deadline (0 on the deadline itself, negative once past it),
    /// counted on `calendar`; nil when nothing is due.
    public func workingDaysLeft(at day: CivilDate, calendar: WorkingDayCalendar) -> Int? {
        guard countsInRates, !isRectified else { return nil }
        if day == deadline { return 0 }
        let (from, to, sign) = day < deadline ? (day, deadline, 1) : (deadline, day, -1)
        var count = 0
        var current = from
        while current < to {
            current = current.adding(days: 1)
            if calendar.isWorkingDay(current) { count += 1 }
        }
        return sign * count
    }

    /// Records `step`, or throws and leaves the state as it was.
    public mutating func apply(_ step: FollowUpStep) throws(FollowUpError) {
        guard stage != .closed else { throw FollowUpError.alreadyClosed.with("\(step.kind) after the follow-up was closed") }
        let previous = steps.last?.day ?? review.ratedOn
        guard step.day >= previous else { throw FollowUpError.beforePreviousStep.with("\(step.day) is before \(previous)") }
        guard !step.text.allSatisfy(\.isWhitespace) else { throw FollowUpError.emptyText.with("\(step.kind) needs a text") }

        switch (step.action, stage) {
        case (.verify(let verdict, _), .open):
            verification = verdict
            stage = verdict.countsInRates ? .verified : .closed
            if !verdict.countsInRates { closedOn = step.day }
        case (.extend(let until, _), .verified):
            guard until > step.day, until > deadline else {
                throw FollowUpError.extensionNotLater.with("\(until) is not after \(max(step.day, deadline))")
            }
            deadline = until
        case (.rectify, .verified):
            rectifiedOn = step.day
            stage = .rectified
        case (.feedback, .rectified):
            guard feedbackOn == nil else { throw FollowUpError.alreadyRecorded.with("feedback was given on \(feedbackOn!)") }
            feedbackOn = step.day
        case (.callBack(let result, _), .rectified):
            guard callBackNeeded else { throw FollowUpError.noCallBackNeeded.with("an anonymous review gets no call-back") }
            guard !callBackDone else { throw FollowUpError.alreadyRecorded.with("called back on \(calledBackOn!)") }
            callBackResult = result
            callBackRetryNeeded = result == .unreachable
            if result != .unreachable { calledBackOn = step.day }
        default:
            throw FollowUpError.notAllowed.with("\(step.kind) is not allowed while \(stage.rawValue)")
        }
        steps.append(step)
        if stage == .rectified, feedbackOn != nil, !identityNeeded {
            stage = .closed
            closedOn = step.day
        }
    }
}
