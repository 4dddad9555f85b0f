import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// The statements every rating (and every filtered press) runs build no ephemeral table: SQLite
/// compiles a CHECK's `IN` list of three or more values into one, created and
/// dropped on every INSERT and UPDATE — a third of a rated case row's cost
/// until migration ledger-006 spelled its state check out. A plan check, not
/// a timing: it fails when a schema change brings such a list back.
@Suite struct HotStatementPlanTests {
    static let statements: [(String, String)] = [
        ("evaluation insert", StoredEvaluation.insertSQL.description),
        ("case opening insert", StoredCaseOpening.insertSQL.description),
        ("case rating update", CaseLedgerUpdate.rateSQL),
        ("bad review insert", CaseLedgerUpdate.insertBadReviewSQL.description),
        ("filtered press insert", LedgerSQL.recordFilteredSQL.description),
    ]

    @Test(arguments: statements)
    func buildsNoEphemeralTable(_ statement: (name: String, sql: String)) throws {
        let fixture = try QueueFixture()
        try fixture.open().close()
        // Read-write: a read-only connection compiles no CHECK at all.
        let db = try Connection(path: fixture.path)
        let opcodes = try db.prepare("EXPLAIN " + statement.sql).rows { $0.column(1, as: String.self) ?? "" }
        #expect(opcodes.filter { $0 == "Halt" }.count > 2, "\(statement.name): the plan holds no constraint checks")
        #expect(!opcodes.contains("OpenEphemeral"), "\(statement.name) builds an ephemeral table on every run")
    }
}
