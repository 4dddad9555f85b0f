import EvalCore
import Foundation
import Synchronization

/// A read-only view of a queue file, for a second process such as evalctl
/// (and for the daemon's own queries, off the writer thread).
///
/// It opens the file with `SQLITE_OPEN_READONLY`, so it never takes a write
/// lock: it cannot block the daemon's enqueues or damage the file. In WAL
/// mode each read sees one committed state; `snapshot()` reads everything in
/// a single read transaction so its figures always add up.
public final class QueueReader: Sendable {
    private let connection: Mutex<Connection>
    public let path: String

    public init(path: String) throws {
        connection = Mutex(try Connection(path: path, mode: .readOnly))
        self.path = path
    }

    /// One read transaction: the statements of `body` see one snapshot.
    /// BEGIN and COMMIT are prepared once (`execute` parsed them on every read:
    /// a scan's case lookup spent more in the parser than in its query).
    func read<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try connection.withLock { connection in
            try connection.prepare(static: "BEGIN").run()
            defer { try? connection.prepare(static: "COMMIT").run() }
            return try body(connection)
        }
    }

    /// A read that is one statement: SQLite runs it in a snapshot of its own,
    /// so it needs no BEGIN/COMMIT around it (a scan's case lookup, per scan).
    func readOne<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try connection.withLock { try body($0) }
    }

    /// Rows of one SELECT the store composes (`claim`), in a snapshot of its own.
    func rows<T: Sendable>(_ sql: String, _ parameters: [any Bindable], _ row: (Statement) throws -> T) throws -> [T] {
        try readOne { db in try db.prepare(sql).rows(parameters, row) }
    }

    /// Counts, ages and the last error, consistent with each other.
    public func snapshot() throws -> QueueSnapshot {
        try read { db in
            var counts: [RecordState: Int] = [:]
            let grouped = try db.prepare("SELECT state, count(*) FROM evaluations GROUP BY state").rows {
                ($0.column(0, as: String.self) ?? "", $0.column(1, as: Int.self) ?? 0)
            }
            for (state, count) in grouped {
                if let state = RecordState(rawValue: state) { counts[state] = count }
            }
            let total = try db.scalar("SELECT count(*) FROM evaluations", as: Int.self) ?? 0
            // Undelivered = pending or on the wire: during an outage records go
            // back and forth between the two, and an alert on backlog or age
            // must see them in every sample.
            let bad = try db.scalar("SELECT count(*) FROM evaluations WHERE state IN ('pending', 'inflight') AND is_bad = 1", as: Int.self) ?? 0
            let oldest = try db.scalar("SELECT min(enqueued_at) FROM evaluations WHERE state IN ('pending', 'inflight')", as: Double.self)
            let retrying = try db.scalar("SELECT count(*) FROM evaluations WHERE state = 'pending' AND attempts > 0", as: Int.self) ?? 0
            let uncertain = try db.scalar("SELECT count(*) FROM evaluations WHERE state = 'pending' AND last_error LIKE 'time-uncertain%'", as: Int.self) ?? 0
            let delivered = try db.scalar("SELECT max(delivered_at) FROM evaluations WHERE state = 'delivered'", as: Double.self)
            let lastError = try db.prepare("""
                SELECT evaluation_id, last_error, last_error_at, state FROM evaluations
                WHERE last_error_at IS NOT NULL ORDER BY last_error_at DESC LIMIT 1
                """).rows { row -> LastError? in
                guard let id = row.column(0, as: String.self).flatMap(EvaluationID.init),
                      let state = row.column(3, as: String.self).flatMap(RecordState.init(rawValue:)) else { return nil }
                return LastError(evaluationId: id, message: row.column(1, as: String.self) ?? "",
                                 at: Date(timeIntervalSince1970: row.column(2, as: Double.self) ?? 0), state: state)
            }.first ?? nil
            return QueueSnapshot(
                counts: counts, total: total, pendingBadReviews: bad, waitingForRetry: retrying,
                oldestPendingEnqueuedAt: oldest.map(Date.init(timeIntervalSince1970:)),
                lastDeliveredAt: delivered.map(Date.init(timeIntervalSince1970:)),
                lastError: lastError, timeUncertain: uncertain)
        }
    }

    public func counts() throws -> [RecordState: Int] { try snapshot().counts }

    /// The follow-ups of bad reviews rated in [since, until), oldest first.
    public func followUps(since: Date? = nil, until: Date? = nil) throws -> [FollowUpHistory] {
        try read { try FollowUpStore.historiesInTransaction(since: since, until: until, on: $0) }
    }

    /// The deadline alerts already sent (`deadline_alerts`).
    public func deadlineAlertsSent() throws -> Set<DeadlineAlert.Key> {
        try read { try LedgerSQL.deadlineAlertsSent(on: $0) }
    }

    /// Records matching `query`, in enqueue order (or its reverse).
    public func list(_ query: QueueListQuery = QueueListQuery()) throws -> [QueuedRecord] {
        var conditions: [String] = []
        var bindings: [any Bindable] = []
        if let state = query.state {
            conditions.append("state = ?")
            bindings.append(state.rawValue)
        }
        if query.badReviewsOnly { conditions.append("is_bad = 1") }
        if let rating = query.rating {
            conditions.append("rating = ?")
            bindings.append(rating.rawValue)
        }
        if let type = query.evaluationType {
            conditions.append("evaluation_type = ?")
            bindings.append(type.rawValue)
        }
        if let window = query.windowCode {
            conditions.append("window_code = ?")
            bindings.append(window)
        }
        if let projectNo = query.projectNo {
            conditions.append("project_no = ?")
            bindings.append(projectNo)
        }
        if let since = query.assessedSince {
            conditions.append("assessed_at >= ?")
            bindings.append(since.timeIntervalSince1970)
        }
        if let before = query.assessedBefore {
            conditions.append("assessed_at < ?")
            bindings.append(before.timeIntervalSince1970)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = query.order == .oldestFirst ? "ASC" : "DESC"
        bindings.append(max(0, query.limit))
        let sql = "SELECT \(RecordColumns.list) FROM evaluations \(whereClause) ORDER BY seq \(order) LIMIT ?"
        return try read { db in try db.prepare(sql).rows(bindings, RecordColumns.read) }
    }

    /// The ids, in the queue or the bad-review ledger, ending with `suffix` (lowercase hex and hyphens), at most
    /// `limit`: evalctl's short ids are the last digits of the UUIDv7, its
    /// random part (the leading digits are the time and repeat within a minute).
    public func evaluationIds(endingWith suffix: String, limit: Int) throws -> [EvaluationID] {
        try read { db in
            // The bad-review ledger too: a bad review stays there after its record is pruned.
            try db.prepare("""
                SELECT evaluation_id FROM evaluations WHERE substr(evaluation_id, -length(?1)) = ?1
                UNION SELECT evaluation_id FROM bad_reviews WHERE substr(evaluation_id, -length(?1)) = ?1 LIMIT ?2
                """)
                .rows([suffix, limit]) { $0.column(0, as: String.self).flatMap(EvaluationID.init) }
                .compactMap { $0 }
        }
    }

    /// One record by its evaluation id, in any state.
    public func record(_ id: EvaluationID) throws -> QueuedRecord? {
        try read { db in try RecordColumns.record(id, on: db) }
    }

    /// The operators' audit rows, oldest first (of one evaluation, or all).
    public func auditEntries(of id: EvaluationID? = nil) throws -> [AuditEntry] {
        try readOne { db in try AuditSQL.entries(of: id, on: db) }
    }

    /// The evaluation that settled a case: a citizen's queued rating, else the
    /// one the ledger names (its default rating). Nil while the case is open.
    public func activeEvaluation(forProject projectNo: String) throws -> EvaluationID? {
        try read { db in
            if let citizen = try LedgerSQL.queuedCitizenEvaluation(of: projectNo, on: db) { return citizen }
            return try db.scalar("SELECT evaluation_id FROM ledger_cases WHERE project_no = ?", [projectNo], as: String.self)
                .flatMap(EvaluationID.init)
        }
    }

    // MARK: The case ledger's reads (the store's writes are in EvaluationQueue+Cases.swift)

    /// What the file knows about one case (`evalctl case`), in one snapshot.
    public func caseReport(of projectNo: String) throws -> CaseReport {
        try read { db in try LedgerSQL.caseReport(of: projectNo, on: db) }
    }

    public func caseState(of projectNo: String) throws -> CaseLedgerState {
        try readOne { db in try LedgerSQL.caseState(of: projectNo, on: db) }
    }

    public func dueCases(at now: Date, limit: Int = 100) throws -> [DueCase] {
        try read { db in try LedgerSQL.dueCases(at: now, limit: limit, on: db) }
    }

    public func nextDefaultDue() throws -> Date? {
        try read { db in try LedgerSQL.nextDefaultDue(on: db) }
    }

    public func unconfirmedDefaults() throws -> [Evaluation] {
        try read { db in try LedgerSQL.unconfirmedDefaults(on: db) }
    }

    /// The earliest next-attempt time among pending records.
    public func nextDue() throws -> Date? {
        try read { db in
            try db.scalar("SELECT min(next_attempt_at) FROM evaluations WHERE state = 'pending'", as: Double.self)
                .map(Date.init(timeIntervalSince1970:))
        }
    }
}
