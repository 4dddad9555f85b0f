import EvalCore
import Foundation

/// The follow-up ledger's named operations. Each takes the `Connection` it runs
/// on and runs in one transaction of its own: the store's writer runs the
/// writes, its read-only connection the reads.
public enum FollowUpStore {
    /// The follow-up of `id`, or nil when it is not a bad review in the ledger.
    public static func history(of id: EvaluationID, on db: Connection) throws -> FollowUpHistory? {
        try reading(db) { try load(id.description, on: db) }
    }

    /// Every follow-up of bad reviews rated in `[since, until)` (nil: unbounded), oldest first.
    public static func histories(since: Date? = nil, until: Date? = nil, on db: Connection) throws -> [FollowUpHistory] {
        try reading(db) { try historiesInTransaction(since: since, until: until, on: db) }
    }

    /// `histories` inside a read transaction the caller holds.
    static func historiesInTransaction(since: Date?, until: Date?, on db: Connection) throws -> [FollowUpHistory] {
        let ids = try db.prepare("""
            SELECT evaluation_id FROM bad_reviews
            WHERE (?1 IS NULL OR assessed_at >= ?1) AND (?2 IS NULL OR assessed_at < ?2)
            ORDER BY assessed_at, evaluation_id
            """).rows([since?.timeIntervalSince1970, until?.timeIntervalSince1970]) { $0.column(0, as: String.self) ?? "" }
        return try ids.compactMap { try load($0, on: db) }
    }

    /// Checks `step` against the folded state and appends it; once the
    /// call-back no longer needs the evaluator's identity, purges it in the
    /// same transaction. Throws `FollowUpError` (nothing written) when the
    /// state does not allow the step, `BadReviewNotFound` for an unknown id.
    @discardableResult
    public static func append(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, on db: Connection) throws -> FollowUpHistory {
        try db.transaction { try appendInTransaction(step, to: id, recordedAt: recordedAt, on: db).history }
    }

    /// What one appended step did.
    public struct Appended: Sendable {
        public var history: FollowUpHistory
        /// The step ended the need for the evaluator's identity, and it was purged.
        public var purgedIdentity: Bool
    }

    /// `append` inside a transaction the caller holds (the store's writer).
    static func appendInTransaction(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, on db: Connection) throws -> Appended {
        guard var history = try load(id.description, on: db) else { throw BadReviewNotFound(evaluationId: id.description) }
        try history.followUp.apply(step)
        let seq = (history.records.last?.seq ?? 0) + 1
        let fields = step.fields
        try db.prepare("""
            INSERT INTO bad_review_steps(evaluation_id, seq, kind, at, recorded_at, by, verification, new_deadline, result, text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).run([id.description, seq, fields.kind, fields.day, recordedAt.timeIntervalSince1970,
                      fields.by, fields.verification, fields.newDeadline, fields.result, fields.text])
        history.records.append(FollowUpRecord(seq: seq, step: step, recordedAt: recordedAt))
        let purged = try clearIdentity(of: history, on: db)
        if purged { history.identityStored = false }
        return Appended(history: history, purgedIdentity: purged)
    }

    /// `appendInTransaction` and the operator's audit row, in the caller's transaction.
    static func appendAudited(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, by actor: AuditActor,
                              detail: (Appended) -> String, on db: Connection) throws -> (appended: Appended, audit: AuditEntry) {
        let appended = try appendInTransaction(step, to: id, recordedAt: recordedAt, on: db)
        let entry = AuditEntry(at: recordedAt, actor: actor, verb: "bad-review-\(step.fields.kind)", evaluationId: id, detail: detail(appended))
        try AuditSQL.insert(entry, on: db)
        return (appended, entry)
    }

    // MARK: - Inside a transaction

    static func clearIdentity(of history: FollowUpHistory, on db: Connection) throws -> Bool {
        guard history.identityStored, !history.followUp.identityNeeded else { return false }
        try db.prepare("UPDATE bad_reviews SET evaluator_name = NULL, evaluator_cert = NULL WHERE evaluation_id = ?")
            .run([history.evaluationId.description])
        return db.changes == 1
    }

    static func load(_ id: String, on db: Connection) throws -> FollowUpHistory? {
        struct Facts { var assessedAt: Double; var window: String; var staff: String?; var deadline: String; var realName: Bool; var identity: Bool }
        guard let facts = try db.prepare("""
            SELECT assessed_at, window_code, staff_login, deadline, call_back_needed, evaluator_name IS NOT NULL
            FROM bad_reviews WHERE evaluation_id = ?
            """).rows([id], { row in
                Facts(assessedAt: row.column(0) ?? 0, window: row.column(1) ?? "", staff: row.column(2),
                      deadline: row.column(3) ?? "", realName: row.column(4) ?? false, identity: row.column(5) ?? false)
            }).first else { return nil }
        func corrupt(_ detail: String) -> FollowUpStoreCorruption { FollowUpStoreCorruption(evaluationId: id, detail: detail) }
        guard let evaluationId = EvaluationID(id), let deadline = CivilDate(facts.deadline) else { throw corrupt("bad id or deadline") }

        let records = try db.prepare("""
            SELECT seq, kind, at, recorded_at, by, verification, new_deadline, result, text
            FROM bad_review_steps WHERE evaluation_id = ? ORDER BY seq
            """).rows([id]) { row -> FollowUpRecord? in
                let fields = FollowUpStep.Fields(kind: row.column(1) ?? "", day: row.column(2) ?? "", by: row.column(4) ?? "",
                                                 text: row.column(8) ?? "", verification: row.column(5),
                                                 newDeadline: row.column(6), result: row.column(7))
                return FollowUpStep(fields).map {
                    FollowUpRecord(seq: row.column(0) ?? 0, step: $0, recordedAt: Date(timeIntervalSince1970: row.column(3) ?? 0))
                }
            }
        guard records.allSatisfy({ $0 != nil }) else { throw corrupt("unreadable step") }
        let steps = records.compactMap { $0 }
        let assessedAt = Date(timeIntervalSince1970: facts.assessedAt)
        let review = BadReviewFollowUp.Review(ratedOn: ShanghaiTime.civilDate(assessedAt), realName: facts.realName)
        let followUp: BadReviewFollowUp
        do { followUp = try BadReviewFollowUp(review, deadline: deadline, steps: steps.map(\.step)) } catch { throw corrupt("\(error)") }
        return FollowUpHistory(evaluationId: evaluationId, assessedAt: assessedAt, windowCode: facts.window, staffLogin: facts.staff,
                               records: steps, followUp: followUp, identityStored: facts.identity)
    }

    /// A read-only transaction (`BEGIN` rather than `BEGIN IMMEDIATE`: it works on a read-only connection).
    static func reading<T>(_ db: Connection, _ body: () throws -> T) throws -> T {
        try db.execute("BEGIN")
        do {
            let result = try body()
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
