import EvalCore
import Foundation

/// What `attachDetail` did.
public enum DetailAttachment: Sendable, Equatable {
    /// Stored with the record, which is now due: sent with its reasons.
    case attached
    /// The record is no longer held (its window ended, it was sent, or it
    /// never waited for a detail): nothing changed.
    case notHeld
    case notFound
}

extension EvaluationQueue {
    /// The reasons (`evalDetail`) and the citizen's words for an evaluation
    /// held for them, and its release: one transaction that stores both and
    /// makes the record due now, so the forwarder sends it (bad reviews first,
    /// as ever) with them. The hold is only the record's first due time
    /// (`StoredEvaluation.insert`), so a crash during the window loses
    /// nothing: the record is sent when the window ends, without the detail.
    /// A bad review's 台账 row gets the codes too.
    public func attachDetail(to id: EvaluationID, evalDetail: [Int]?, writingEvaluation: PersonalData?) async throws -> DetailAttachment {
        let now = clock.now().timeIntervalSince1970
        let codes = evalDetail.map(ReasonCatalog.format)
        let words = writingEvaluation?.revealed
        let key = id.description
        return try await writer.perform { context -> DetailAttachment in
            try context.atomically { context -> DetailAttachment in
                let db = context.connection
                try db.prepare("""
                    UPDATE evaluations SET eval_detail = coalesce(?2, eval_detail), writing_evaluation = coalesce(?3, writing_evaluation),
                        record_bytes = record_bytes + length(coalesce(?2, '')) + length(CAST(coalesce(?3, '') AS BLOB)), next_attempt_at = ?4
                    WHERE evaluation_id = ?1 AND state = 'pending' AND attempts = 0 AND next_attempt_at > ?4
                    """).run([key, codes, words, now])
                guard db.changes > 0 else {
                    let exists = try db.scalar("SELECT 1 FROM evaluations WHERE evaluation_id = ?", [key], as: Int.self) != nil
                    return exists ? .notHeld : .notFound
                }
                if let codes {
                    try db.prepare("UPDATE bad_reviews SET eval_detail = ?2 WHERE evaluation_id = ?1").run([key, codes])
                }
                context.addedPending = true
                return .attached
            }
        }
    }
}
