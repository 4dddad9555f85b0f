import EvalCore
import Foundation

extension LedgerSQL {
    /// The case's report, on the caller's read transaction. At most 100
    /// filtered presses: `filtered_presses` has no index on the case (only
    /// this operator's read looks a case up there, and an index costs on
    /// every filtered press).
    static func caseReport(of projectNo: String, on db: Connection) throws -> CaseReport {
        let state = try caseState(of: projectNo, on: db)
        let row = try db.prepare("""
            SELECT window_code, opened_at, due_at, settled_at, evaluation_id, evaluator_offline_at FROM ledger_cases WHERE project_no = ?
            """).rows([projectNo]) { row in
            (window: row.column(0, as: String.self), openedAt: row.column(1, as: Double.self), dueAt: row.column(2, as: Double.self),
             settledAt: row.column(3, as: Double.self), evaluationId: row.column(4, as: String.self).flatMap(EvaluationID.init),
             evaluatorOfflineAt: row.column(5, as: Double.self))
        }.first
        let citizen = try queuedCitizenEvaluation(of: projectNo, on: db)
        let evaluationId = citizen ?? row?.evaluationId
        let record = try evaluationId.flatMap { try RecordColumns.record($0, on: db) }
        let scanned = try citizen.flatMap { id in
            try db.scalar("SELECT case_opened_at FROM evaluations WHERE evaluation_id = ?", [id.description], as: Double.self)
        }
        let filtered = try db.prepare("""
            SELECT \(filteredPressColumns) FROM filtered_presses WHERE project_no = ? ORDER BY pressed_at, id LIMIT 100
            """).rows([projectNo], filteredPress)
        func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
        return CaseReport(
            projectNo: projectNo, state: state,
            recordedBy: row != nil ? .ledger : (citizen != nil ? .queue : nil),
            windowCode: row?.window ?? record?.evaluation.windowCode,
            openedAt: date(row?.openedAt ?? scanned),
            dueAt: date(row?.dueAt),
            settledAt: date(row?.settledAt) ?? (row == nil ? record?.evaluation.assessedAt : nil),
            evaluationId: evaluationId, record: record, filtered: filtered,
            evaluatorOfflineAt: date(row?.evaluatorOfflineAt))
    }
}
