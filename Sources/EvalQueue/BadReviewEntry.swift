import EvalCore
import Foundation

/// One row of the bad-review ledger (台账), as `evalctl bad-reviews` lists it.
public struct BadReviewEntry: Hashable, Sendable {
    public var evaluationId: EvaluationID
    public var rating: Rating
    public var assessedAt: Date
    public var hallCode: String?
    public var windowCode: String
    public var staff: [StaffMember]
    public var projectNo: String?
    /// Last day of rectification (15 working days after the rating).
    public var deadline: CivilDate
    /// Real-name bad reviews need a call-back (回访).
    public var callBackNeeded: Bool
    /// Kept for the call-back only; masked unless revealed on purpose.
    public var evaluator: Evaluator?
    /// The queue's delivery state (pending, delivered, rejected…), when known.
    public var deliveryState: String?
    /// The reasons (`evalDetail` codes) the page sent: what is to be rectified.
    public var evalDetail: [Int]? = nil
}

/// Filters for `evalctl bad-reviews`; nil means "any".
public struct BadReviewQuery: Hashable, Sendable {
    public var windowCode: String?
    public var staffLoginName: String?
    public var projectNo: String?
    public var since: Date?
    public var until: Date?

    public init(windowCode: String? = nil, staffLoginName: String? = nil, projectNo: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.windowCode = windowCode
        self.staffLoginName = staffLoginName
        self.projectNo = projectNo
        self.since = since
        self.until = until
    }
}
