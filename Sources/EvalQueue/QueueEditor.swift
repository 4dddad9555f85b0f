import EvalCore
import Foundation
import Logging

/// The operator's repairs (retry a dead letter, release, drop a record) and
/// their audit rows from evalctl while evald is stopped (evalctl holds
/// evald's lock meanwhile). While evald runs, evalctl asks it through the
/// control socket instead, and the daemon's writer does the same repair.
///
/// It opens its own read-write connection with `synchronous=FULL` and does
/// each repair with its audit row in one short `BEGIN IMMEDIATE`
/// transaction. It never creates, migrates, recovers or moves the file: that
/// is the daemon's job, at its next start.
public final class QueueEditor: @unchecked Sendable {
    private let lock = NSLock()
    private let connection: Connection  // guarded by `lock`
    private let logger: Logger

    /// Throws `QueueError.notFound` if there is no queue file at `path`.
    public init(path: String, logger: Logger = Logger(label: "evald.queue.editor")) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw QueueError.notFound("no queue file at \(path)")
        }
        connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("PRAGMA synchronous = FULL")
        self.logger = logger
    }

    /// rejected → pending, due at `now`, and its audit row, in one transaction.
    /// Throws `QueueError.notFound` or `.wrongState` (nothing written).
    @discardableResult
    public func retry(_ id: EvaluationID, now: Date, by actor: AuditActor) throws -> AuditEntry {
        let entry = try lock.withLock {
            try connection.transaction { try OperatorEdits.retry(id, audit: actor, at: now, in: connection).audit }
        }
        logger.notice("operator retry: \(id) rejected → pending")
        return entry
    }

    /// A held time-uncertain record → pending, sent as stamped, and its audit
    /// row, in one transaction. Throws `.notFound` or `.wrongState`.
    public func release(_ id: EvaluationID, now: Date, by actor: AuditActor) throws -> (evaluation: Evaluation, audit: AuditEntry) {
        let released = try lock.withLock {
            try connection.transaction { try OperatorEdits.release(id, audit: actor, at: now, in: connection) }
        }
        logger.notice("operator release: \(id) held (time-uncertain) → pending")
        return released
    }

    /// Deletes a record in any state and writes its audit row (the record as
    /// it was) in the same transaction; returns both.
    public func drop(_ id: EvaluationID, now: Date = Date(), by actor: AuditActor) throws -> (record: QueuedRecord, audit: AuditEntry) {
        let removed = try lock.withLock {
            try connection.transaction { try OperatorEdits.drop(id, audit: actor, at: now, in: connection) }
        }
        logger.notice("operator drop: \(id) (\(removed.record.state)) removed from the queue")
        return removed
    }

    /// An audit row on its own (a reveal of personal data), committed before
    /// this returns. A file an older evald left without the `audit` table is
    /// said as such: evald migrates it at its next start.
    public func recordAudit(_ entry: AuditEntry) throws {
        try lock.withLock {
            try connection.transaction { try AuditSQL.insert(entry, on: connection) }
        }
    }
}
