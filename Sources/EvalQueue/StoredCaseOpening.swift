import EvalCore
import Foundation

/// One row of `ledger_cases` as migrations ledger-005 and -006 lay it out: the case's
/// opening (ticket, window, staff, device) in typed columns, beside its
/// default-rating due instant and its state. Built on the caller's task; the
/// writer only binds. No evaluator identity: a case opening has none.
struct StoredCaseOpening: Sendable {
    let opening: CaseOpening
    let due: DefaultRatingScheduler.Due
    /// `opening.staff` as UTF-8 JSON (the queue's staff list format).
    let staff: [UInt8]

    init(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) {
        self.opening = opening
        self.due = due
        staff = EvaluationJSON.persons(opening.staff)
    }

    /// A case already in the ledger keeps its first opening (re-scanning never
    /// postpones a default): the conflict leaves the row as it is.
    static let insertSQL: StaticString = """
        INSERT INTO ledger_cases (project_no, task_code, task_name, area_code, dept_code, dept_name, hall_code, window_code,
                                  default_staff_login, default_staff_name, default_task_code, default_task_name, pf,
                                  staff, device_id, opened_at, due_at, last_day)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
        ON CONFLICT(project_no) DO NOTHING
        """

    /// Binds `insertSQL` and runs it; true if the case was new. The staff JSON
    /// is bound without a copy while pinned (see `StoredEvaluation.insert`).
    func insert(on db: Connection) throws -> Bool {
        try run(db.prepare(static: Self.insertSQL))
        return db.changes == 1
    }

    /// What settling an open case (rated, defaulted) clears: every column of
    /// its opening but the key, the window and the instant (migration ledger-006).
    static let clearedWhenSettled = """
        task_code = NULL, task_name = NULL, area_code = NULL, dept_code = NULL, dept_name = NULL, hall_code = NULL,
        default_staff_login = NULL, default_staff_name = NULL, default_task_code = NULL, default_task_name = NULL,
        pf = NULL, staff = NULL, device_id = NULL, due_at = NULL, last_day = NULL
        """

    /// Binds the opening's 18 columns, then steps `statement` once.
    private func run(_ statement: Statement) throws {
        let ticket = opening.ticket
        let window = opening.window
        try staff.withUnsafeBufferPointer { staff in
            defer { statement.reset() }
            try statement.bindText(1, ticket.projectNo)
            try statement.bindText(2, ticket.taskCode)
            try statement.bindText(3, ticket.taskName)
            try statement.bindText(4, window.areaCode)
            try statement.bindText(5, window.deptCode)
            try statement.bindText(6, window.deptName)
            try statement.bindText(7, window.hallCode)
            try statement.bindText(8, window.windowCode)
            try statement.bindText(9, window.defaultStaff?.loginName)
            try statement.bindText(10, window.defaultStaff?.name)
            try statement.bindText(11, window.defaultTaskCode)
            try statement.bindText(12, window.defaultTaskName)
            try statement.bindInt(13, window.pf.rawValue)
            try statement.bindPinnedText(14, staff)
            try statement.bindText(15, opening.deviceId)
            try statement.bindDouble(16, opening.openedAt.timeIntervalSince1970)
            try statement.bindDouble(17, due.dueAt.timeIntervalSince1970)
            try statement.bindText(18, due.lastDay.description)
            try statement.step()
        }
    }

    /// The columns `decode` reads, in order.
    static let columns = """
        project_no, task_code, task_name, area_code, dept_code, dept_name, hall_code, window_code, \
        default_staff_login, default_staff_name, default_task_code, default_task_name, pf, staff, device_id, opened_at
        """
    static let columnCount: Int32 = 16

    /// The opening in `row`'s columns from `first` on (`columns`).
    static func decode(_ row: Statement, from first: Int32 = 0) throws -> CaseOpening {
        func text(_ i: Int32) -> String? { row.column(first + i, as: String.self) }
        guard let projectNo = text(0), let areaCode = text(3), let windowCode = text(7),
              let pf = row.column(first + 12, as: Int.self), let openedAt = row.column(first + 15, as: Double.self) else {
            throw QueueError.unreadable("ledger case \(text(0) ?? "?"): a required column is missing")
        }
        let defaultStaff = text(8).flatMap { login in text(9).map { StaffMember(loginName: login, name: $0) } }
        return CaseOpening(
            ticket: CaseTicket(projectNo: projectNo, taskCode: text(1), taskName: text(2)),
            window: WindowConfiguration(areaCode: areaCode, deptCode: text(4), deptName: text(5), hallCode: text(6),
                                        windowCode: windowCode, defaultStaff: defaultStaff, defaultTaskCode: text(10),
                                        defaultTaskName: text(11), pf: Channel(rawValue: pf)),
            staff: try EvaluationJSON.readPersons(text(13) ?? "[]"),
            deviceId: text(14),
            openedAt: Date(timeIntervalSince1970: openedAt))
    }
}
