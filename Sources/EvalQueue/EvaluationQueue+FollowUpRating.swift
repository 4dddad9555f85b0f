import EvalCore
import Foundation

/// What `enqueueFollowUp` did with a 追评.
public enum FollowUpRatingOutcome: Sendable, Equatable {
    /// Stored (assessNumber 2); it will reach the platform once.
    case enqueued
    /// The case has no citizen's rating to follow up (unknown, open, or defaulted).
    case notRated
    /// The case has its follow-up already: one per case.
    case alreadyFollowedUp(evaluationId: String)
    /// Past the allowed days after the first rating.
    case tooLate(firstRatedAt: Date)
}

extension EvaluationQueue {
    /// A follow-up rating (追评) of a case already rated: checked and stored in
    /// one transaction. Never a second first evaluation: it is `assessNumber`
    /// 2, the case's ledger row is not touched (the case stays rated by its
    /// first evaluation), and `follow_up_ratings` takes one per case for good.
    /// `withinDays`: counted from the first rating's instant. A bad follow-up
    /// gets its own 台账 row (with its codes) under `badReviewPolicy`, in the
    /// same transaction: it is a bad review to rectify like any other.
    public func enqueueFollowUp(_ evaluation: Evaluation, withinDays: Int,
                                badReviewPolicy: BadReviewPolicy? = nil) async throws -> FollowUpRatingOutcome {
        precondition(evaluation.assessNumber == .followUp, "a 追评 is assessNumber 2")
        guard let projectNo = evaluation.projectNo else { return .notRated }
        let stored = StoredEvaluation(evaluation)
        let badReview = badReviewPolicy.flatMap { CaseLedgerUpdate.badReview(evaluation, policy: $0) }
        let codes = evaluation.evalDetail.map(ReasonCatalog.format)
        let now = clock.now().timeIntervalSince1970
        return try await writer.perform { context -> FollowUpRatingOutcome in
            try context.atomically { context -> FollowUpRatingOutcome in
                let db = context.connection
                if let earlier = try db.scalar("SELECT evaluation_id FROM follow_up_ratings WHERE project_no = ?", [projectNo], as: String.self) {
                    return .alreadyFollowedUp(evaluationId: earlier)
                }
                // The first rating: the citizen's queued evaluation, else the
                // ledger's rated row (its evaluation pruned after delivery).
                let first = try db.scalar("""
                    SELECT coalesce(
                        (SELECT min(assessed_at) FROM evaluations WHERE project_no = ?1 AND evaluation_type = 1 AND assess_number = 1),
                        (SELECT settled_at FROM ledger_cases WHERE project_no = ?1 AND state = 'rated'))
                    """, [projectNo], as: Double.self)
                guard let first else { return .notRated }
                guard now - first <= Double(withinDays) * 86_400 else { return .tooLate(firstRatedAt: Date(timeIntervalSince1970: first)) }
                try db.prepare("INSERT INTO follow_up_ratings (project_no, evaluation_id, accepted_at) VALUES (?, ?, ?)")
                    .run([projectNo, stored.id, now])
                _ = try Self.insert(stored, at: now, into: &context)
                if let badReview {
                    try CaseLedgerUpdate.write(badReview, on: db)
                    if let codes { try db.prepare("UPDATE bad_reviews SET eval_detail = ?2 WHERE evaluation_id = ?1").run([stored.id, codes]) }
                }
                return .enqueued
            }
        }
    }
}
