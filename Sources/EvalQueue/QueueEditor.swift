import EvalCore
import Foundation
import Logging

/// The operator's repairs (retry a dead letter, drop a record) from a second
/// process such as evalctl, on the daemon's queue file, while it runs.
///
/// It opens its own read-write connection with `synchronous=FULL` and does
/// each repair in one short `BEGIN IMMEDIATE` transaction; SQLite's lock
/// (with a 5 s busy timeout) serialises it with the daemon's writer. It never
/// creates, migrates, recovers or moves the file: that is the daemon's job.
///
/// Prefer asking the daemon (`EvaluationQueue.retry`/`drop`) when it runs:
/// its forwarder is then woken at once. After an edit from here the daemon
/// notices at its next enqueue, claim or housekeeping pass (`prune` re-counts
/// the caps from the file).
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

    /// rejected → pending, due at `now`. Throws `QueueError.notFound` or `.wrongState`.
    public func retry(_ id: EvaluationID, now: Date) throws {
        try lock.withLock {
            _ = try connection.transaction { try OperatorEdits.retry(id, at: now.timeIntervalSince1970, in: connection) }
        }
        logger.notice("operator retry: \(id) rejected → pending")
    }

    /// A held time-uncertain record → pending, sent as stamped. Throws `.notFound` or `.wrongState`.
    public func release(_ id: EvaluationID, now: Date) throws -> Evaluation {
        let evaluation = try lock.withLock {
            try connection.transaction { try OperatorEdits.release(id, at: now.timeIntervalSince1970, in: connection) }
        }
        logger.notice("operator release: \(id) held (time-uncertain) → pending")
        return evaluation
    }

    /// Deletes a record in any state; returns it as it was, for the audit log.
    public func drop(_ id: EvaluationID) throws -> QueuedRecord {
        let record = try lock.withLock {
            try connection.transaction { try OperatorEdits.drop(id, in: connection) }
        }
        logger.notice("operator drop: \(id) (\(record.state)) removed from the queue")
        return record
    }
}
