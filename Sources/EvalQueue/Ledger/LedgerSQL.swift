import EvalCore
import Foundation

/// The case ledger's statements, each on the connection it is handed: the
/// store's writer runs the writes inside its transactions, its read-only
/// connection runs the reads. One copy of every statement, whoever runs it.
enum LedgerSQL {
    /// See `QueueReader.caseState(of:)`: the queue's row is the durable record of a rating.
    static func caseState(of projectNo: String, on db: Connection) throws -> CaseLedgerState {
        // One statement, prepared once (`static`): this runs for every scan.
        let row = try db.prepare(static: """
            SELECT (SELECT state FROM ledger_cases WHERE project_no = ?1),
                   EXISTS (SELECT 1 FROM evaluations WHERE project_no = ?1 AND evaluation_type = 1)
            """).rows([projectNo]) { ($0.column(0, as: String.self), $0.column(1, as: Bool.self) ?? false) }.first
        let ledger = row?.0.map { CaseLedgerState(rawValue: $0) ?? .open } ?? .unknown
        let queued = row?.1 ?? false
        switch ledger {
        case .unknown, .open: return queued ? .rated : ledger
        default: return ledger
        }
    }

    static func dueCases(at now: Date, limit: Int, on db: Connection) throws -> [DueCase] {
        try db.prepare("""
            SELECT \(StoredCaseOpening.columns), due_at, last_day FROM ledger_cases
            WHERE state = 'open' AND due_at <= ? ORDER BY due_at LIMIT ?
            """).rows([now.timeIntervalSince1970, limit]) { row in
            DueCase(
                opening: try StoredCaseOpening.decode(row),
                dueAt: Date(timeIntervalSince1970: row.column(StoredCaseOpening.columnCount) ?? 0),
                lastDay: CivilDate(row.column(StoredCaseOpening.columnCount + 1) ?? "") ?? CivilDate(year: 1970, month: 1, day: 1)
            )
        }
    }

    static func nextDefaultDue(on db: Connection) throws -> Date? {
        try db.scalar("SELECT min(due_at) FROM ledger_cases WHERE state = 'open'", as: Double.self)
            .map(Date.init(timeIntervalSince1970:))
    }

    /// open → defaulted. `keeping`: the evaluation's JSON kept until the queue
    /// has it (legacy two-step default); nil when the evaluation is inserted in
    /// the same transaction (the store's default pass). False if not open.
    static func settleDefault(_ evaluation: Evaluation, projectNo: String, at now: Date, keeping json: String?, on db: Connection) throws -> Bool {
        try db.prepare("""
            UPDATE ledger_cases SET state = 'defaulted', evaluation_id = ?, settled_at = ?, default_evaluation = ?,
                                    default_enqueued = ?, \(StoredCaseOpening.clearedWhenSettled)
            WHERE project_no = ? AND state = 'open'
            """).run([evaluation.evaluationId.description, now.timeIntervalSince1970, json, json == nil, projectNo])
        return db.changes == 1
    }

    /// How an older agent encoded the default evaluations it kept in `ledger_cases`.
    private static var olderAgentJSON: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    /// Defaults settled by an older agent but never confirmed in the queue.
    static func unconfirmedDefaults(on db: Connection) throws -> [Evaluation] {
        try db.prepare("""
            SELECT default_evaluation FROM ledger_cases
            WHERE state = 'defaulted' AND default_enqueued = 0 ORDER BY settled_at
            """).rows { row in try olderAgentJSON.decode(Evaluation.self, from: Data((row.column(0) ?? "").utf8)) }
    }

    static func confirmDefaultEnqueued(_ id: EvaluationID, on db: Connection) throws {
        try db.prepare("""
            UPDATE ledger_cases SET default_enqueued = 1, default_evaluation = NULL
            WHERE evaluation_id = ? AND state = 'defaulted' AND default_enqueued = 0
            """).run([id.description])
    }

    static func markRated(_ projectNo: String, evaluationId: EvaluationID, at now: Date, on db: Connection) throws -> Bool {
        try db.prepare("""
            UPDATE ledger_cases SET state = 'rated', evaluation_id = ?, settled_at = ?, \(StoredCaseOpening.clearedWhenSettled)
            WHERE project_no = ? AND state = 'open'
            """).run([evaluationId.description, now.timeIntervalSince1970, projectNo])
        return db.changes == 1
    }

    /// A citizen's evaluation of `projectNo` in the queue's table, if any.
    static func queuedCitizenEvaluation(of projectNo: String, on db: Connection) throws -> EvaluationID? {
        try db.scalar("""
            SELECT evaluation_id FROM evaluations
            WHERE project_no = ? AND evaluation_type = 1 ORDER BY seq LIMIT 1
            """, [projectNo], as: String.self).flatMap(EvaluationID.init)
    }

    /// Whether the case has a row of its own (any state). A case opened and
    /// rated in one batch has none while its evaluation is queued (ledger-008).
    static func hasCaseRow(_ projectNo: String, on db: Connection) throws -> Bool {
        let statement = try db.prepare(static: "SELECT 1 FROM ledger_cases WHERE project_no = ?")
        defer { statement.reset() }
        try statement.bindText(1, projectNo)
        return try statement.step()
    }

    /// The settled row of every citizen's evaluation of a case among the rows
    /// `evaluations.seq IN (…)` selects, run in the transaction that deletes
    /// them: while an evaluation is queued its row is the case's record of
    /// the rating (`caseState`), and once it leaves the table the ledger's row
    /// must say so, or the case could be rated again. A case with no row gets
    /// one, rated, with the scan's instant when the evaluation kept it; a row
    /// still open is rated; a settled row is left as it is.
    static func settleLeavingSQL(selectingSeqs subquery: String) -> String {
        """
        INSERT INTO ledger_cases (project_no, window_code, opened_at, state, evaluation_id, settled_at)
        SELECT project_no, window_code, coalesce(case_opened_at, assessed_at), 'rated',
               evaluation_id, assessed_at
        FROM evaluations WHERE seq IN (\(subquery)) AND project_no IS NOT NULL AND evaluation_type = 1
        ON CONFLICT(project_no) DO UPDATE SET state = 'rated', evaluation_id = excluded.evaluation_id,
            settled_at = excluded.settled_at, \(StoredCaseOpening.clearedWhenSettled)
        WHERE state = 'open'
        """
    }

    static let recordFilteredSQL: StaticString = """
        INSERT INTO filtered_presses(window_code, device_id, rating, reason, pressed_at, project_no, had_identity)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// The columns `filteredPress` reads, in order.
    static let filteredPressColumns = "rating, device_id, window_code, pressed_at, reason, project_no, had_identity"

    static func filteredPress(_ row: Statement) -> FilteredPress {
        FilteredPress(
            rating: Rating(rawValue: row.column(0) ?? 0) ?? .basicallySatisfied,
            deviceId: row.column(1) ?? "",
            windowCode: row.column(2) ?? "",
            pressedAt: Date(timeIntervalSince1970: row.column(3) ?? 0),
            reason: FilterReason(rawValue: row.column(4) ?? "") ?? .bounce,
            projectNo: row.column(5),
            hadIdentity: row.column(6) ?? false
        )
    }

    static func recordFiltered(_ press: FilteredPress, on db: Connection) throws {
        try db.prepare(static: recordFilteredSQL).run([press.windowCode, press.deviceId, press.rating.rawValue, press.reason.rawValue,
                                                       press.pressedAt.timeIntervalSince1970, press.projectNo, press.hadIdentity])
    }

    // MARK: Deadline alerts

    static func deadlineAlertsSent(on db: Connection) throws -> Set<DeadlineAlert.Key> {
        let keys = try db.prepare("SELECT evaluation_id, kind, deadline FROM deadline_alerts").rows { row -> DeadlineAlert.Key? in
            guard let id = row.column(0, as: String.self).flatMap(EvaluationID.init),
                  let kind = row.column(1, as: String.self).flatMap(DeadlineAlert.Kind.init(rawValue:)),
                  let deadline = row.column(2, as: String.self).flatMap(CivilDate.init) else { return nil }
            return DeadlineAlert.Key(evaluationId: id, kind: kind, deadline: deadline)
        }
        return Set(keys.compactMap { $0 })
    }

    static func recordDeadlineAlert(_ alert: DeadlineAlert, at now: Date, on db: Connection) throws {
        try db.prepare("INSERT OR IGNORE INTO deadline_alerts(evaluation_id, kind, deadline, given_at) VALUES (?, ?, ?, ?)")
            .run([alert.evaluationId.description, alert.kind.rawValue, alert.deadline.description, now.timeIntervalSince1970])
    }
}
