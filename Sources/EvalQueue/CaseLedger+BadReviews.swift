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

extension CaseLedger {
    /// Adds a bad review to the ledger with its rectification deadline. The
    /// evaluator's identity is kept only when a call-back is needed. Idempotent;
    /// `EvaluationQueue.enqueue(_:ledger:)` writes the same row in the
    /// evaluation's own transaction.
    public func recordBadReview(_ evaluation: Evaluation, policy: BadReviewPolicy) throws {
        guard let row = CaseLedgerUpdate.badReview(evaluation, policy: policy) else { return }
        try locked { db in try CaseLedgerUpdate.write(row, on: db) }
    }

    /// Bad reviews matching `query`, newest first. `deliveryState` looks up the
    /// queue's state of each evaluation (the queue owns it).
    public func badReviews(
        _ query: BadReviewQuery = BadReviewQuery(),
        limit: Int = 1000,
        deliveryState: (EvaluationID) throws -> String? = { _ in nil }
    ) throws -> [BadReviewEntry] {
        let rows = try locked { db in
            // Optional filters as `? IS NULL OR column = ?`: one fixed statement, every value bound.
            try db.prepare("""
                SELECT evaluation_id, rating, assessed_at, hall_code, window_code, staff, project_no, deadline,
                       call_back_needed, evaluator_name, evaluator_cert, eval_detail
                FROM bad_reviews
                WHERE (?1 IS NULL OR window_code = ?1)
                  AND (?2 IS NULL OR staff_login = ?2)
                  AND (?3 IS NULL OR project_no = ?3)
                  AND (?4 IS NULL OR assessed_at >= ?4)
                  AND (?5 IS NULL OR assessed_at < ?5)
                ORDER BY assessed_at DESC LIMIT ?6
                """).rows([query.windowCode, query.staffLoginName, query.projectNo,
                           query.since?.timeIntervalSince1970, query.until?.timeIntervalSince1970, limit]) { row in
                let name: String? = row.column(9)
                let cert: String? = row.column(10)
                return BadReviewEntry(
                    evaluationId: EvaluationID(row.column(0) ?? "") ?? EvaluationID.make(at: .distantPast),
                    rating: Rating(rawValue: row.column(1) ?? 1) ?? .veryDissatisfied,
                    assessedAt: Date(timeIntervalSince1970: row.column(2) ?? 0),
                    hallCode: row.column(3),
                    windowCode: row.column(4) ?? "",
                    staff: (try? Self.decode([StaffMember].self, json: row.column(5) ?? "[]")) ?? [],
                    projectNo: row.column(6),
                    deadline: CivilDate(row.column(7) ?? "") ?? CivilDate(year: 1970, month: 1, day: 1),
                    callBackNeeded: row.column(8) ?? false,
                    evaluator: name.flatMap { name in cert.map { Evaluator(userName: PersonalData(name), certKey: PersonalData($0)) } },
                    deliveryState: nil,
                    evalDetail: (row.column(11) as String?).flatMap { try? ReasonCatalog.parse($0) }
                )
            }
        }
        return try rows.map { entry in
            var entry = entry
            entry.deliveryState = try deliveryState(entry.evaluationId)
            return entry
        }
    }
}
