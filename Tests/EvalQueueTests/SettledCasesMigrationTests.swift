import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Migration ledger-006: a settled case keeps its key, window, opening
/// instant, state and evaluation, and nothing else of its opening (no staff
/// names for good); an open case keeps its whole opening for its default.
@Suite struct SettledCasesMigrationTests {
    typealias F = LedgerFixtures
    typealias Suite = CaseLedgerSessionTests

    struct Row: Equatable {
        var state: String?
        var evaluationId: String?
        var windowCode: String?
        var openedAt: Double?
        var staff: String?
        var areaCode: String?
        var dueAt: Double?
    }

    static func rows(_ path: String) throws -> [String: Row] {
        let db = try Connection(path: path, mode: .readOnly)
        let rows = try db.prepare("SELECT project_no, state, evaluation_id, window_code, opened_at, staff, area_code, due_at FROM ledger_cases").rows {
            ($0.column(0, as: String.self) ?? "",
             Row(state: $0.column(1), evaluationId: $0.column(2), windowCode: $0.column(3), openedAt: $0.column(4),
                 staff: $0.column(5), areaCode: $0.column(6), dueAt: $0.column(7)))
        }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    @Test func settledRowsOfTheSchemaBeforeLoseTheirOpeningAndOpenOnesKeepIt() async throws {
        let fixture = try QueueFixture()
        let open = F.opening("2026030200201", at: "2026-03-02 09:00:00")
        let rated = F.opening("2026030200202", at: "2026-03-02 09:05:00")
        let defaulted = F.opening("2026030200203", at: "2026-03-02 09:10:00")
        do {
            // The file as the previous schema left it, written with its statements.
            let db = try Connection(path: fixture.path)
            try db.execute("PRAGMA journal_mode=WAL")
            try db.migrate(Array(Schema.all.prefix { $0.name != "ledger-006-settled-cases-keep-no-opening" }))
            for opening in [open, rated, defaulted] {
                #expect(try StoredCaseOpening(opening, due: F.scheduler.due(openedAt: opening.openedAt)).insert(on: db))
            }
            try db.prepare("UPDATE ledger_cases SET state = 'rated', evaluation_id = ?, settled_at = ? WHERE project_no = ? AND state = 'open'")
                .run(["01a23c40-0000-7000-8000-000000000202", 1.0, rated.ticket.projectNo])
            try db.prepare("""
                UPDATE ledger_cases SET state = 'defaulted', evaluation_id = ?, settled_at = ?, default_evaluation = NULL, default_enqueued = 1
                WHERE project_no = ? AND state = 'open'
                """).run(["01a23c40-0000-7000-8000-000000000203", 2.0, defaulted.ticket.projectNo])
            #expect(try Self.rows(fixture.path)[rated.ticket.projectNo]?.staff != nil, "the old schema kept a rated case's staff")
        }

        let store = try fixture.open()
        defer { store.close() }
        let rows = try Self.rows(fixture.path)
        #expect(rows[rated.ticket.projectNo] == Row(state: "rated", evaluationId: "01a23c40-0000-7000-8000-000000000202",
                                                    windowCode: rated.window.windowCode, openedAt: rated.openedAt.timeIntervalSince1970))
        #expect(rows[defaulted.ticket.projectNo] == Row(state: "defaulted", evaluationId: "01a23c40-0000-7000-8000-000000000203",
                                                        windowCode: defaulted.window.windowCode, openedAt: defaulted.openedAt.timeIntervalSince1970))
        #expect(try await store.caseState(of: rated.ticket.projectNo) == .rated)
        #expect(try await store.caseState(of: defaulted.ticket.projectNo) == .defaulted)
        // The open case reads back whole, and its default still applies.
        let due = try store.reader.dueCases(at: F.at("2026-04-01 00:00:00"))
        #expect(due.map(\.opening) == [open])
        let pass = await store.applyDueDefaults(at: F.at("2026-04-01 00:00:00"))
        #expect(pass.enqueued.map(\.projectNo) == [open.ticket.projectNo])
        #expect(pass.enqueued.first?.evaluatedPersons == open.staff)
    }

    /// Every way today's store settles a case leaves no staff in its row:
    /// rated in the batch that opened it (its row written when its evaluation
    /// leaves the queue, migration ledger-008), rated later, defaulted.
    @Test func aCaseSettledByTheStoreKeepsNoStaff() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open(fixture.configuration(deliveredRetentionDays: 0))
        defer { store.close() }
        let driver = Suite.driver(store, RecordingObserver())

        // Rated later: opened in one commit, rated in another.
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        await Suite.scan(CaseTicket(projectNo: "2026030200211"), &session, driver, at: "2026-03-02 09:00:00")
        // The scan's row waits for company; an awaited write commits it (the writer keeps order).
        try await store.recordFiltered(FilteredPress(rating: .satisfied, deviceId: "kbd-1", windowCode: "W07",
                                                     pressedAt: F.at("2026-03-02 09:00:10"), reason: .bounce))
        #expect(try Self.rows(fixture.path)["2026030200211"]?.staff != nil, "an open case holds its staff")
        #expect(await Suite.press(.satisfied, &session, driver, at: "2026-03-02 09:00:30").count == 1)
        // Rated in the batch that opened it.
        _ = try await CaseRowWrittenOnceTests.scanAndPressInOneBatch("2026030200212", .verySatisfied, store: store, driver: driver)
        // Defaulted.
        let late = F.opening("2026030200213", at: "2026-03-02 09:10:00")
        try await store.openCase(late, due: F.scheduler.due(openedAt: late.openedAt))
        #expect(await store.applyDueDefaults(at: F.at("2026-04-01 00:00:00")).enqueued.count == 1)
        let claimed = try await store.claim(limit: 10, now: Date())
        try await store.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
        #expect(try await store.prune(now: Date().addingTimeInterval(1)).deleted == 3)

        let rows = try Self.rows(fixture.path)
        #expect(rows.mapValues(\.state) == ["2026030200211": "rated", "2026030200212": "rated", "2026030200213": "defaulted"])
        for (projectNo, row) in rows {
            #expect(row.staff == nil && row.areaCode == nil && row.dueAt == nil, "\(projectNo) keeps its opening")
            #expect(row.windowCode == F.window.windowCode && row.evaluationId != nil && row.openedAt != nil)
        }
    }
}
