import EvalCore
import Foundation

/// The case ledger's rows for one emitted evaluation: its case marked rated
/// (`ledger_cases`) and, for a bad review, its line in the 台账 (`bad_reviews`).
///
/// A value, computed on the caller's task (the rectification deadline needs the
/// calendar), so the queue's writer can write it in the **same transaction** as
/// the evaluation itself (`EvaluationQueue.enqueue(_:ledger:)`): either both are
/// durable or neither is, and no crash can leave a queued rating whose case
/// still takes a second one. `CaseLedger.recordRating`/`recordBadReview` write
/// the same rows through the ledger's own connection; both writes are
/// idempotent, so doing them again after the queue did is harmless.
public struct CaseLedgerUpdate: Sendable, Hashable {
    struct Rated: Sendable, Hashable {
        let projectNo: String
        let evaluationId: String
        let settledAt: Double
    }

    struct BadReview: Sendable, Hashable {
        let evaluationId: String
        let rating: Int
        let assessedAt: Double
        let hallCode: String?
        let windowCode: String
        let staffLogin: String?
        let staffJSON: String
        let projectNo: String?
        let deadline: String
        let callBackNeeded: Bool
        let evaluatorName: String?
        let evaluatorCert: String?
    }

    let rated: Rated?
    let badReview: BadReview?

    /// The rows `evaluation` adds: its case rated (if it names one and is a
    /// citizen's rating) and a bad review's line with its deadline under `policy`.
    public init(_ evaluation: Evaluation, badReviewPolicy policy: BadReviewPolicy) throws {
        rated = Self.rated(evaluation)
        badReview = Self.badReview(evaluation, policy: policy)
    }

    /// Whether there is anything to write.
    public var isEmpty: Bool { rated == nil && badReview == nil }

    static func rated(_ evaluation: Evaluation) -> Rated? {
        guard let projectNo = evaluation.projectNo else { return nil }
        return Rated(projectNo: projectNo, evaluationId: evaluation.evaluationId.description,
                     settledAt: evaluation.assessedAt.timeIntervalSince1970)
    }

    static func badReview(_ evaluation: Evaluation, policy: BadReviewPolicy) -> BadReview? {
        guard evaluation.isBadReview else { return nil }
        let callBack = BadReviewPolicy.needsCallBack(evaluation)
        return BadReview(
            evaluationId: evaluation.evaluationId.description, rating: evaluation.satisfaction.rawValue,
            assessedAt: evaluation.assessedAt.timeIntervalSince1970, hallCode: evaluation.hallCode,
            windowCode: evaluation.windowCode, staffLogin: evaluation.evaluatedPersons.first?.loginName,
            staffJSON: String(decoding: EvaluationJSON.persons(evaluation.evaluatedPersons), as: UTF8.self), projectNo: evaluation.projectNo,
            deadline: policy.rectificationDeadline(for: evaluation).description, callBackNeeded: callBack,
            evaluatorName: callBack ? evaluation.evaluator?.userName.revealed : nil,
            evaluatorCert: callBack ? evaluation.evaluator?.certKey.revealed : nil)
    }

    /// Writes the rows on `db` (the caller owns the transaction). `opening`:
    /// the case's row, staged in this batch and absorbed by the rating.
    func write(on db: Connection, opening: CaseOpeningWrite? = nil) throws {
        if let rated { try Self.write(rated, opening: opening, on: db) }
        if let badReview { try Self.write(badReview, on: db) }
    }

    /// The case marked rated. When its opening came in this batch and the case
    /// is not in the file yet, nothing is written here: the evaluation just
    /// inserted (project_no, the scan's instant) is the case's record until it
    /// leaves the table, and the settled row is written then (migration
    /// ledger-008, `LedgerSQL.settleLeavingSQL`). Else open → rated.
    static func write(_ rated: Rated, opening: CaseOpeningWrite?, on db: Connection) throws {
        if let opening {
            let isNew = try !LedgerSQL.hasCaseRow(rated.projectNo, on: db)
            // Not new: the case was already in the file and keeps its first opening.
            opening.outcome = .success(isNew)
            if isNew { return try RollupStore.countServedInEvaluation(rated.evaluationId, on: db) }
        }
        _ = try write(rated, on: db)
    }

    /// Rates an open case and clears its opening (migration ledger-006).
    static let rateSQL = """
        UPDATE ledger_cases SET state = 'rated', evaluation_id = ?, settled_at = ?, \(StoredCaseOpening.clearedWhenSettled)
        WHERE project_no = ? AND state = 'open'
        """

    /// open → rated (`rateSQL`); true if the case was open (a case not in the
    /// ledger, or already settled, is left as it is).
    static func write(_ rated: Rated, on db: Connection) throws -> Bool {
        try db.prepare(rateSQL).run([rated.evaluationId, rated.settledAt, rated.projectNo])
        return db.changes == 1
    }

    static let insertBadReviewSQL: StaticString = """
        INSERT INTO bad_reviews(evaluation_id, rating, assessed_at, hall_code, window_code, staff_login, staff,
                                project_no, deadline, call_back_needed, evaluator_name, evaluator_cert)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(evaluation_id) DO NOTHING
        """

    /// Prepared once and bound column by column (no `[any Bindable]` of
    /// twelve boxes): two presses in five are bad reviews.
    static func write(_ row: BadReview, on db: Connection) throws {
        let statement = try db.prepare(static: insertBadReviewSQL)
        defer { statement.reset() }
        try statement.bindText(1, row.evaluationId)
        try statement.bindInt(2, row.rating)
        try statement.bindDouble(3, row.assessedAt)
        try statement.bindText(4, row.hallCode)
        try statement.bindText(5, row.windowCode)
        try statement.bindText(6, row.staffLogin)
        try statement.bindText(7, row.staffJSON)
        try statement.bindText(8, row.projectNo)
        try statement.bindText(9, row.deadline)
        try statement.bindInt(10, row.callBackNeeded ? 1 : 0)
        try statement.bindText(11, row.evaluatorName)
        try statement.bindText(12, row.evaluatorCert)
        try statement.step()
    }
}
