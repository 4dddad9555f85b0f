import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Migration ledger-005 on a file the schema before it wrote: the case
/// openings an older agent stored as JSON (`LedgerFile.json`, the encoder it
/// used) come back from the typed columns as that agent read them.
@Suite struct TypedCaseOpeningsMigrationTests {
    typealias F = LedgerFixtures

    /// A window with every optional field set, text that needs escaping.
    static let fullWindow = WindowConfiguration(
        areaCode: "533103", deptCode: "11533103MB1234567X", deptName: "芒市\"政务\"服务中心", hallCode: "H01", windowCode: "W07",
        defaultStaff: StaffMember(loginName: "zhangsan", name: "张三"), defaultTaskCode: "T9", defaultTaskName: "综合受理 🏛", pf: .pc)

    static func oldRow(_ opening: CaseOpening, json: String, state: String = "open", evaluationId: String? = nil) -> String {
        func quoted(_ text: String?) -> String { text.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
        let due = F.scheduler.due(openedAt: opening.openedAt)
        return """
            INSERT INTO ledger_cases (project_no, window_code, opening, opened_at, due_at, last_day, state, evaluation_id, settled_at)
            VALUES (\(quoted(opening.ticket.projectNo)), \(quoted(opening.window.windowCode)), \(quoted(json)),
                    \(opening.openedAt.timeIntervalSince1970), \(due.dueAt.timeIntervalSince1970), '\(due.lastDay)', '\(state)',
                    \(quoted(evaluationId)), \(evaluationId == nil ? "NULL" : "\(opening.openedAt.timeIntervalSince1970)"));
            """
    }

    @Test func oldOpeningsReadBackAsTheOldCodeReadThem() async throws {
        let full = CaseOpening(ticket: CaseTicket(projectNo: "2026030200001", taskCode: "T1", taskName: "营业执照'变更'"),
                               window: Self.fullWindow,
                               staff: [StaffMember(loginName: "lisi", name: "李四"), StaffMember(loginName: "wangwu", name: "王五")],
                               deviceId: "kbd-1", openedAt: F.at("2026-03-02 09:00:00").addingTimeInterval(0.25))
        let bare = CaseOpening(ticket: CaseTicket(projectNo: "2026030200002"), window: F.window, staff: [], openedAt: F.at("2026-03-02 09:05:00"))
        let rated = F.opening("2026030200003", at: "2026-03-02 09:10:00")
        let oldJSON = try [full, bare, rated].map { try LedgerFile.json($0) }
        let fixture = try QueueFixture()
        try TypedColumnsMigrationTests.oldFile(fixture, extra: Self.oldRow(full, json: oldJSON[0]) + Self.oldRow(bare, json: oldJSON[1])
            + Self.oldRow(rated, json: oldJSON[2], state: "rated", evaluationId: "01a23c40-0000-7000-8000-000000000003"))

        let queue = try fixture.open()
        defer { queue.close() }
        let due = try queue.reader.dueCases(at: F.at("2026-04-01 00:00:00"))
        let asOldCodeRead = try oldJSON.prefix(2).map { try LedgerFile.decode(CaseOpening.self, json: $0) }
        #expect(due.map(\.opening) == asOldCodeRead)
        let dueAt = [full, bare].map { F.scheduler.due(openedAt: $0.openedAt).dueAt }
        #expect(zip(due.map(\.dueAt), dueAt).allSatisfy { abs($0.timeIntervalSince($1)) < 0.001 } && due.count == 2)
        #expect(try await queue.caseState(of: rated.ticket.projectNo) == .rated)
        #expect(try await queue.caseState(of: bare.ticket.projectNo) == .open)

        // The converted file works on: the default pass rates both open cases.
        let pass = await queue.applyDueDefaults(at: F.at("2026-04-01 00:00:00"))
        #expect(pass.readError == nil && pass.refused.isEmpty)
        #expect(pass.enqueued.map(\.taskName) == ["营业执照'变更'", nil])
        #expect(pass.enqueued.first?.deptName == "芒市\"政务\"服务中心" && pass.enqueued.first?.pf == .pc)
        #expect(pass.enqueued.first?.evaluatedPersons.map(\.loginName) == ["lisi", "wangwu"])
        #expect(try await queue.caseState(of: full.ticket.projectNo) == .defaulted)
    }

    /// An opening the old code could not decode (its default pass failed on
    /// it every time) is kept with the row's own columns, and no longer stops
    /// the pass for every other case.
    @Test func anUnreadableOldOpeningIsKeptAndStopsNothing() async throws {
        let broken = F.opening("2026030200009", at: "2026-03-02 09:00:00")
        let good = F.opening("2026030200010", at: "2026-03-02 09:01:00")
        let fixture = try QueueFixture()
        try TypedColumnsMigrationTests.oldFile(fixture, extra: Self.oldRow(broken, json: "{\"ticket\":{\"projectNo\"")
            + Self.oldRow(good, json: try LedgerFile.json(good)))
        let queue = try fixture.open()
        defer { queue.close() }
        let due = try queue.reader.dueCases(at: F.at("2026-04-01 00:00:00"))
        #expect(due.map(\.opening.ticket.projectNo) == ["2026030200009", "2026030200010"])
        #expect(due.first?.opening.window.windowCode == "W07" && due.first?.opening.window.areaCode == "")
        #expect(due.last?.opening == good)
        let pass = await queue.applyDueDefaults(at: F.at("2026-04-01 00:00:00"))
        #expect(pass.readError == nil && pass.enqueued.count == 2)
    }

    /// Written by today's store and read back: every field of the opening.
    @Test func anOpeningRoundTripsThroughTheColumns() async throws {
        let opening = CaseOpening(ticket: CaseTicket(projectNo: "2026030200011", taskCode: "T1", taskName: "x\u{1}\"y"),
                                  window: Self.fullWindow, staff: [StaffMember(loginName: "li\"si", name: "李\\四")],
                                  deviceId: nil, openedAt: F.at("2026-03-02 09:00:00"))
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        #expect(try await queue.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt)))
        #expect(try await !queue.openCase(opening, due: F.scheduler.due(openedAt: F.at("2026-03-09 09:00:00"))), "a re-scan keeps the first opening")
        let due = try queue.reader.dueCases(at: F.at("2026-04-01 00:00:00"))
        #expect(due.map(\.opening) == [opening])
        #expect(due.first.map { abs($0.dueAt.timeIntervalSince(F.scheduler.due(openedAt: opening.openedAt).dueAt)) < 0.001 } == true)
    }
}
