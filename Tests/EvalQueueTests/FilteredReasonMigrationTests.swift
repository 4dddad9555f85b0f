import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Migration ledger-007: `filtered_presses` is rebuilt with its reason CHECK
/// spelled out (no ephemeral table per insert, `HotStatementPlanTests`);
/// the presses already kept come through unchanged and a reason the agent
/// does not know is still refused.
@Suite struct FilteredReasonMigrationTests {
    typealias F = LedgerFixtures

    @Test func keptPressesComeThroughAndAnUnknownReasonIsStillRefused() throws {
        let fixture = try QueueFixture()
        let presses = FilterReason.allCases.enumerated().map { index, reason in
            FilteredPress(rating: Rating(rawValue: 1 + index) ?? .satisfied, deviceId: "kbd-1", windowCode: "W07",
                          pressedAt: F.at("2026-03-02 10:00:0\(index)"), reason: reason,
                          projectNo: index.isMultiple(of: 2) ? "P\(index)" : nil, hadIdentity: index == 1)
        }
        do {
            // The file as the schema before left it, written with the store's own statement.
            let db = try Connection(path: fixture.path)
            try db.execute("PRAGMA journal_mode=WAL")
            try db.migrate(Schema.all.filter { $0.name != "ledger-007-filtered-reason-spelled-out" })
            for press in presses { try LedgerSQL.recordFiltered(press, on: db) }
        }

        try fixture.open().close()
        #expect(try LedgerFile(path: fixture.path).filteredPresses() == presses)
        let db = try Connection(path: fixture.path)
        #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO filtered_presses(window_code, device_id, rating, reason, pressed_at, had_identity) VALUES ('W07', 'kbd-1', 3, 'other', 0, 0)")
        }
    }
}
