import EvalCore
import Foundation

extension CaseLedger {
    /// Keeps a filtered press for audit (rule 2). Never forwarded.
    public func recordFiltered(_ press: FilteredPress) throws {
        try locked { db in
            try db.prepare("""
                INSERT INTO filtered_presses(window_code, device_id, rating, reason, pressed_at, project_no, had_identity)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).run([press.windowCode, press.deviceId, press.rating.rawValue, press.reason.rawValue,
                          press.pressedAt.timeIntervalSince1970, press.projectNo, press.hadIdentity])
        }
    }

    /// Filtered presses at or after `since`, oldest first.
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
