import EvalCore
import Foundation

extension CaseLedger {
    /// Filtered presses at or after `since`, oldest first (rule 2: kept for audit).
    public func filteredPresses(since: Date = .distantPast, limit: Int = 1000) throws -> [FilteredPress] {
        try locked { db in
            try db.prepare("""
                SELECT rating, device_id, window_code, pressed_at, reason, project_no, had_identity
                FROM filtered_presses WHERE pressed_at >= ? ORDER BY pressed_at, id LIMIT ?
                """).rows([since.timeIntervalSince1970, limit]) { row in
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
        }
    }
}
