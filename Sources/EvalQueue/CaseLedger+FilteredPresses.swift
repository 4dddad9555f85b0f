import EvalCore
import Foundation

extension CaseLedger {
    /// Filtered presses at or after `since`, oldest first (rule 2: kept for audit).
    public func filteredPresses(since: Date = .distantPast, limit: Int = 1000) throws -> [FilteredPress] {
        try locked { db in
            try db.prepare("""
                SELECT \(LedgerSQL.filteredPressColumns) FROM filtered_presses WHERE pressed_at >= ? ORDER BY pressed_at, id LIMIT ?
                """).rows([since.timeIntervalSince1970, limit], LedgerSQL.filteredPress)
        }
    }
}
