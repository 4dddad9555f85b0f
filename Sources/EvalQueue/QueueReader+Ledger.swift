import EvalCore
import Foundation

/// The 台账's reads for evalctl: bad reviews, their follow-ups and the
/// filtered presses, from the read-only connection (safe while evald runs).
extension QueueReader {
    /// Bad reviews matching `query`, newest first. `deliveryState` looks up the
    /// queue's state of each evaluation (the queue owns it).
    public func badReviews(
        _ query: BadReviewQuery = BadReviewQuery(),
        limit: Int = 1000,
        deliveryState: (EvaluationID) throws -> String? = { _ in nil }
    ) throws -> [BadReviewEntry] {
        let rows = try read { db in
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
                    staff: (try? EvaluationJSON.readPersons(row.column(5) ?? "[]")) ?? [],
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

    /// The follow-up history of one bad review, or nil if it has none.
    public func followUp(of id: EvaluationID) throws -> FollowUpHistory? {
        // `history` opens its own read transaction.
        try readOne { try FollowUpStore.history(of: id, on: $0) }
    }

    /// Filtered presses at or after `since`, oldest first (rule 2: kept for audit).
    public func filteredPresses(since: Date = .distantPast, limit: Int = 1000) throws -> [FilteredPress] {
        try readOne { db in
            try db.prepare("""
                SELECT \(LedgerSQL.filteredPressColumns) FROM filtered_presses WHERE pressed_at >= ? ORDER BY pressed_at, id LIMIT ?
                """).rows([since.timeIntervalSince1970, limit], LedgerSQL.filteredPress)
        }
    }
}
