import EvalCore
import Foundation
import Logging

/// What the operator CLI (evalctl) needs, through the daemon's queue.
/// Reads go through a read-only connection and never wait for the writer.
extension EvaluationQueue {
    public func snapshot() throws -> QueueSnapshot { try reader.snapshot() }

    public func counts() throws -> [RecordState: Int] { try reader.counts() }

    public func list(_ query: QueueListQuery = QueueListQuery()) throws -> [QueuedRecord] { try reader.list(query) }

    public func record(_ id: EvaluationID) throws -> QueuedRecord? { try reader.record(id) }

    /// The id of a citizen's evaluation of case `projectNo` already in the queue
    public func activeEvaluation(forProject projectNo: String) throws -> EvaluationID? {
        try reader.activeEvaluation(forProject: projectNo)
    }

    /// How long the oldest pending record has waited, or nil when none is pending.
    public func oldestPendingAge(now: Date) throws -> TimeInterval? { try reader.snapshot().oldestPendingAge(now: now) }

    public func lastDeliveryTime() throws -> Date? { try reader.snapshot().lastDeliveredAt }

    public func lastError() throws -> LastError? { try reader.snapshot().lastError }

    /// Sends a dead letter again (after the operator fixed the cause):
    /// rejected → pending, due now. The platform's reason stays in `last_error`.
    /// The audit row commits with the change (one savepoint): if it cannot be
    /// written, nothing changed. Returns the row, for the mirror.
    /// Throws `QueueError.notFound`, or `QueueError.wrongState` unless rejected.
    @discardableResult
    public func retry(_ id: EvaluationID, now: Date, by actor: AuditActor) async throws -> AuditEntry {
        let entry = try await writer.perform { context in
            try context.atomically { context -> AuditEntry in
                let (added, entry) = try OperatorEdits.retry(id, audit: actor, at: now, in: context.connection)
                context.counters.records += 1
                context.counters.bytes += added
                context.addedPending = true
                return entry
            }
        }
        logger.notice("operator retry: \(id) rejected → pending (uid \(actor.uid) \(actor.name))")
        return entry
    }

    /// Releases a record held for uncertain time: it is sent with the time it
    /// was stamped with, which the operator vouches for. Returns it as it is
    /// now, with the audit row committed with it. Throws `QueueError.notFound`,
    /// or `.wrongState` unless held.
    public func release(_ id: EvaluationID, now: Date, by actor: AuditActor) async throws -> (evaluation: Evaluation, audit: AuditEntry) {
        let released = try await writer.perform { context in
            try context.atomically { context in
                let released = try OperatorEdits.release(id, audit: actor, at: now, in: context.connection)
                context.addedPending = true
                return released
            }
        }
        logger.notice("operator release: \(id) held (time-uncertain) → pending, sent as stamped (\(released.evaluation.assessTime))")
        return released
    }

    /// Deletes a record in any state and returns it as it was, with the audit
    /// row (holding the record, identity removed) committed in the same
    /// transaction. Throws `QueueError.notFound`.
    public func drop(_ id: EvaluationID, now: Date = Date(), by actor: AuditActor) async throws -> (record: QueuedRecord, audit: AuditEntry) {
        let removed = try await writer.perform { context in
            try context.atomically { context in
                let removed = try OperatorEdits.drop(id, audit: actor, at: now, in: context.connection)
                if removed.record.state.isUndelivered {
                    context.counters.records -= 1
                    context.counters.bytes -= removed.record.recordBytes
                }
                return removed
            }
        }
        logger.notice("operator drop: \(id) (\(removed.record.state)) removed from the queue")
        return removed
    }

    /// An audit row on its own, committed before the caller goes on: an
    /// operator about to see personal data in clear (`--reveal`). If it cannot
    /// be written, this throws and the caller shows nothing.
    public func recordAudit(_ entry: AuditEntry) async throws {
        try await writer.perform { context in try AuditSQL.insert(entry, on: context.connection) }
    }

    /// The audit rows, oldest first (of one evaluation, or all).
    public func auditEntries(of id: EvaluationID? = nil) throws -> [AuditEntry] { try reader.auditEntries(of: id) }
}

/// The SQL of the operator's repairs, run by the store's writer (evald's,
/// or the one evalctl opens while evald is stopped).
enum OperatorEdits {
    /// rejected → pending; returns the bytes it counts against the caps.
    static func retry(_ id: EvaluationID, at: Double, in db: Connection) throws -> Int {
        let bytes = try db.prepare("""
            UPDATE evaluations SET state = 'pending', rejected_at = NULL, rejected_reason = NULL, next_attempt_at = ?1
            WHERE evaluation_id = ?2 AND state = 'rejected' RETURNING record_bytes
            """).rows([at, id.description]) { $0.column(0, as: Int.self) ?? 0 }
        guard let added = bytes.first else {
            let state = try db.scalar("SELECT state FROM evaluations WHERE evaluation_id = ?", [id.description], as: String.self)
            guard let state else { throw QueueError.notFound("no queued record \(id)") }
            throw QueueError.wrongState("record \(id) is \(state), not rejected: only a dead letter can be retried")
        }
        return added
    }

    /// A held time-uncertain record → pending, due now, its time marked as
    /// vouched for (the forwarder then sends it as stamped).
    static func release(_ id: EvaluationID, at: Double, in db: Connection) throws -> Evaluation {
        let rows = try db.prepare("SELECT state, last_error, \(StoredEvaluation.columns) FROM evaluations WHERE evaluation_id = ?")
            .rows([id.description]) { row in
                (row.column(0, as: String.self) ?? "", row.column(1, as: String.self), Result { try StoredEvaluation.decode(row, from: 2) })
            }
        guard let (state, lastError, decoded) = rows.first else { throw QueueError.notFound("no queued record \(id)") }
        guard state == RecordState.pending.rawValue, lastError?.hasPrefix("time-uncertain") == true else {
            throw QueueError.wrongState("record \(id) is \(state) and not held for uncertain time: there is nothing to release")
        }
        var evaluation = try decoded.get()
        evaluation.recordedTime?.trusted = true
        try db.prepare("""
            UPDATE evaluations SET recorded_trusted = CASE WHEN recorded_trusted IS NULL THEN NULL ELSE 1 END, next_attempt_at = ?1,
                last_error = 'released by an operator: sent with the time it was stamped with', last_error_at = ?1
            WHERE evaluation_id = ?2
            """).run([at, id.description])
        return evaluation.withoutPersonalData
    }

    /// Deletes the record and returns it as it was. A citizen's rating of a
    /// case leaves its case rated (the ledger's row is written or rated here,
    /// in the caller's transaction): dropping a record never reopens a case.
    static func drop(_ id: EvaluationID, in db: Connection) throws -> QueuedRecord {
        guard let record = try RecordColumns.record(id, on: db) else { throw QueueError.notFound("no queued record \(id)") }
        try db.prepare(LedgerSQL.settleLeavingSQL(selectingSeqs: "SELECT seq FROM evaluations WHERE evaluation_id = ?1"))
            .run([id.description])
        try db.prepare("DELETE FROM evaluations WHERE evaluation_id = ?").run([id.description])
        return record
    }
}
