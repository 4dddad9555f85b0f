import Foundation

/// What the forwarder needs from the queue, and nothing more, so the uplink can
/// be tested against an in-memory outbox and the queue against no network.
///
/// The SQLite queue (`EvalQueue.EvaluationQueue`) is the production outbox.
public protocol Outbox: Sendable {
    /// Claims up to `limit` records that are due at `now` and returns them:
    /// bad reviews first, then oldest first. A claimed record is not handed
    /// out again until it is settled or released.
    func claim(limit: Int, now: Date) async throws -> [OutboxRecord]

    /// Gives claimed records back unsent and unchanged (the forwarder could
    /// not prepare them: the store refused a re-dating), writing nothing.
    func release(_ ids: [EvaluationID]) async

    /// Records what the platform said about claimed records: delivered,
    /// rejected (dead letter) or back to pending with a next-attempt time.
    func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws

    /// Replaces the stored time of claimed records with the one given (an
    /// assessTime reconstructed from a trusted clock), in one transaction,
    /// before they are sent: a retry then sends the same time.
    func redate(_ evaluations: [Evaluation]) async throws

    /// The earliest next-attempt time among pending records, or nil when none is pending.
    func nextDue() async throws -> Date?

    /// Registers `wake`, called whenever a record becomes pending (enqueue, an
    /// operator's retry or release) by whoever made it so, before that call
    /// returns: the forwarder rings its doorbell with it and sleeps instead of
    /// polling, with no task in between.
    func onPending(_ wake: @escaping @Sendable () -> Void)
}

public struct OutboxRecord: Sendable, Hashable {
    public var evaluation: Evaluation
    /// Attempts made before this claim.
    public var attempts: Int

    public init(evaluation: Evaluation, attempts: Int) {
        self.evaluation = evaluation
        self.attempts = attempts
    }
}

public enum DeliveryOutcome: Sendable, Hashable {
    /// `accepted` or `duplicate`: the platform has it.
    case delivered(EvaluationID)
    /// `rejected`: final for this record; kept as a dead letter with the reason.
    case rejected(EvaluationID, reason: String)
    /// Not the record's fault (network, 5xx, 401, 429…): pending again from `notBefore`.
    case retry(EvaluationID, error: String, notBefore: Date, reason: DeliveryFailureReason = .other)

    public var evaluationId: EvaluationID {
        switch self {
        case .delivered(let id), .rejected(let id, _), .retry(let id, _, _, _): id
        }
    }
}
