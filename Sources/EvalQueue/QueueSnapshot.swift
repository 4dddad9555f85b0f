import EvalCore
import Foundation

/// The queue's state as of one instant: every figure read in the same read
/// transaction, so they always add up even while the daemon writes.
public struct QueueSnapshot: Sendable, Hashable {
    public var counts: [RecordState: Int]
    /// All records in the file (every state), at the same instant as `counts`.
    public var total: Int
    /// Bad reviews not yet delivered (pending or in flight).
    public var pendingBadReviews: Int
    /// Pending records that failed at least once and wait for their next attempt.
    public var waitingForRetry: Int
    /// Enqueue time of the oldest undelivered record (pending or in flight).
    public var oldestPendingEnqueuedAt: Date?
    public var lastDeliveredAt: Date?
    public var lastError: LastError?
    /// Pending records held because their assessTime is known to be wrong
    /// (made while the clock had lost its time): never sent as they are.
    public var timeUncertain: Int = 0

    public func count(_ state: RecordState) -> Int { counts[state] ?? 0 }

    /// Records not delivered yet: pending plus those on the wire right now.
    public var undelivered: Int { count(.pending) + count(.inflight) }

    /// How long the oldest undelivered record has waited, at `now`.
    public func oldestPendingAge(now: Date) -> TimeInterval? {
        oldestPendingEnqueuedAt.map { max(0, now.timeIntervalSince($0)) }
    }
}

/// The most recent delivery failure recorded on a record still in the queue.
public struct LastError: Sendable, Hashable {
    public var evaluationId: EvaluationID
    public var message: String
    public var at: Date
    public var state: RecordState
}

/// What `evalctl list` asks for.
public struct QueueListQuery: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable {
        case oldestFirst
        case newestFirst
    }

    public var state: RecordState?
    public var badReviewsOnly: Bool
    public var rating: Rating?
    public var evaluationType: EvaluationType?
    public var windowCode: String?
    public var projectNo: String?
    /// Only evaluations assessed at or after this instant.
    public var assessedSince: Date?
    /// Only evaluations assessed before this instant.
    public var assessedBefore: Date?
    public var limit: Int
    public var order: Order

    public init(state: RecordState? = nil, badReviewsOnly: Bool = false, rating: Rating? = nil,
                evaluationType: EvaluationType? = nil, windowCode: String? = nil, projectNo: String? = nil,
                assessedSince: Date? = nil, assessedBefore: Date? = nil,
                limit: Int = 50, order: Order = .oldestFirst) {
        self.state = state
        self.badReviewsOnly = badReviewsOnly
        self.rating = rating
        self.evaluationType = evaluationType
        self.windowCode = windowCode
        self.projectNo = projectNo
        self.assessedSince = assessedSince
        self.assessedBefore = assessedBefore
        self.limit = limit
        self.order = order
    }
}
