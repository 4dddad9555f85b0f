import EvalCore
import Foundation

/// The rollup's reads and its recount, each on the connection it is handed
/// (the store's reader, its writer, or evalctl's own for `report --rebuild`).
public enum RollupStore {
    /// Rows of the days `[from, to]`, in key order.
    static func rows(from: CivilDate, to: CivilDate, on db: Connection) throws -> [RollupRow] {
        try db.prepare(selectSQL).rows([from.description, to.description], decode)
    }

    static let selectSQL = """
        SELECT \((RollupSQL.keyColumns + RollupSQL.labelColumns + RollupSQL.counters).joined(separator: ", "))
        FROM rollup_daily WHERE day BETWEEN ?1 AND ?2
        ORDER BY \(RollupSQL.keyColumns.joined(separator: ", "))
        """

    static func decode(_ row: Statement) -> RollupRow {
        var counts = RollupRow.Counts()
        func count(_ i: Int32) -> Int { row.column(10 + i, as: Int.self) ?? 0 }
        counts.served = count(0)
        counts.active = [count(1), count(2), count(3), count(4), count(5)]
        counts.defaults = count(6)
        counts.followUps = count(7)
        counts.filtered = count(8)
        counts.bad = count(9)
        counts.callBacksNeeded = count(10)
        counts.rectified = count(11)
        counts.calledBack = count(12)
        counts.overdue = count(13)
        counts.mistaken = count(14)
        counts.malicious = count(15)
        counts.defaultsEvaluatorOffline = count(16)
        let key = RollupRow.Key(
            day: CivilDate(row.column(0, as: String.self) ?? "") ?? CivilDate(year: 1970, month: 1, day: 1),
            windowCode: row.column(1) ?? "", staffLogin: row.column(2) ?? "", deptCode: row.column(3) ?? "",
            taskCode: row.column(4) ?? "", pf: row.column(5) ?? 0)
        return RollupRow(key: key, hallCode: row.column(6), staffName: row.column(7), deptName: row.column(8),
                         taskName: row.column(9), counts: counts)
    }

    /// Counts the days `[from, to]` again from the records and the ledger
    /// (see `RollupSQL.rebuildSQL`: exact for days still within the records'
    /// retention). The caller owns the transaction.
    static func rebuild(from: CivilDate, to: CivilDate, on db: Connection) throws {
        try db.execute(RollupSQL.rebuildSQL(from: from.description, to: to.description))
    }

    /// Takes back what `evaluationId`'s insert counted: for the one path that
    /// undoes an insert by deleting the row inside the batch (its ledger rows
    /// failed without rolling the transaction back). A row deleted for any
    /// other reason (pruning, an operator's drop) stays counted.
    static func uncount(evaluationId: String, on db: Connection) throws {
        try db.prepare(RollupSQL.upsert(RollupSQL.rating("r").negated(), from: "FROM evaluations AS r WHERE r.evaluation_id = ?1"))
            .run([evaluationId])
    }

    /// The service of a case opened in its rating's batch and not in the
    /// ledger (ledger-008: the evaluation, holding the scan's instant, is the
    /// case's record), counted on the scan's day. Called by the store where it
    /// decides that (`CaseLedgerUpdate.write(_:opening:on:)`), in that transaction.
    static func countServedInEvaluation(_ evaluationId: String, on db: Connection) throws {
        try db.prepare(RollupSQL.upsert(RollupSQL.servedInEvaluation("r"),
                                        from: "FROM evaluations AS r WHERE r.evaluation_id = ?1 AND r.case_opened_at IS NOT NULL"))
            .run([evaluationId])
    }

}

extension QueueReader {
    /// The rollup of the days `[from, to]` (Asia/Shanghai), one snapshot.
    public func rollup(from: CivilDate, to: CivilDate) throws -> [RollupRow] {
        try rows(RollupStore.selectSQL, [from.description, to.description], RollupStore.decode)
    }
}

extension EvaluationQueue {
    /// The rollup of the days `[from, to]`, read off the writer.
    public func rollup(from: CivilDate, to: CivilDate) throws -> [RollupRow] {
        try reader.rollup(from: from, to: to)
    }

    /// Recounts `[from, to]` from the records and the ledger, in one writer transaction.
    public func rebuildRollup(from: CivilDate, to: CivilDate) async throws {
        try await writer.perform { context in try context.atomically { try RollupStore.rebuild(from: from, to: to, on: $0.connection) } }
    }
}
