import Foundation

extension QueueReader {
    /// The columns `evaluations` has in this file (a report shows what the schema holds).
    public func evaluationColumns() throws -> [String] {
        try rows("SELECT name FROM pragma_table_info('evaluations')", []) { $0.column(0, as: String.self) ?? "" }
    }

    /// One text column of the evaluations assessed in `[from, until)` (Unix
    /// seconds), non-empty values only; `column` must be one `evaluationColumns` named.
    public func evaluationTexts(column: String, badOnly: Bool, from: Double, until: Double) throws -> [String] {
        guard try evaluationColumns().contains(column), column.allSatisfy({ $0.isLetter || $0 == "_" }) else { return [] }
        return try rows("""
            SELECT \(column) FROM evaluations WHERE assessed_at >= ?1 AND assessed_at < ?2 AND (?3 = 0 OR is_bad = 1)
              AND \(column) IS NOT NULL AND \(column) <> ''
            """, [from, until, badOnly ? 1 : 0]) { $0.column(0, as: String.self) ?? "" }
    }
}
