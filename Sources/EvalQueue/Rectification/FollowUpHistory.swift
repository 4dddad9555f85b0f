import EvalCore
import Foundation

/// One stored step of a bad review's follow-up.
public struct FollowUpRecord: Sendable, Hashable {
    public var seq: Int
    public var step: FollowUpStep
    /// When the operator recorded it (the step's `day` is when it happened).
    public var recordedAt: Date
}

/// A bad review's follow-up as the store knows it: the review's facts, every
/// step in order, and their fold.
public struct FollowUpHistory: Sendable, Hashable {
    public var evaluationId: EvaluationID
    public var assessedAt: Date
    public var windowCode: String
    public var staffLogin: String?
    public var records: [FollowUpRecord]
    public var followUp: BadReviewFollowUp
    /// Whether the evaluator's name and certificate number are still stored.
    public var identityStored: Bool
}

/// The store has no bad review with this id.
public struct BadReviewNotFound: Error, Sendable, Hashable, CustomStringConvertible {
    public var evaluationId: String
    public var description: String { "no bad review \(evaluationId) in the ledger" }
}

/// A stored step the model cannot read back (the CHECKs should make this impossible).
public struct FollowUpStoreCorruption: Error, Sendable, Hashable, CustomStringConvertible {
    public var evaluationId: String
    public var detail: String
    public var description: String { "bad review \(evaluationId): unreadable follow-up (\(detail))" }
}
