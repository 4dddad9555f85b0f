import EvalCore
import Foundation

/// One stored evaluation with its delivery bookkeeping: what `evalctl show`
/// and `evalctl list` print. The evaluator inside `evaluation` masks itself
/// when printed; it is nil once personal data has been purged.
public struct QueuedRecord: Sendable, Hashable {
    /// Enqueue order (FIFO position).
    public var sequence: Int64
    public var evaluation: Evaluation
    public var state: RecordState
    /// Delivery attempts that got an answer or a failure so far.
    public var attempts: Int
    public var lastError: String?
    public var nextAttemptAt: Date
    public var enqueuedAt: Date
    public var claimedAt: Date?
    public var deliveredAt: Date?
    public var rejectedAt: Date?
    /// The platform's reason for a dead letter.
    public var rejectedReason: String?
    /// When the evaluator's identity was removed, if it was.
    public var personalDataPurgedAt: Date?
    /// Bytes this record counts against `maxPendingBytes`.
    public var recordBytes: Int

    public var id: EvaluationID { evaluation.evaluationId }
}

/// The columns `QueuedRecord.read` expects, in order.
enum RecordColumns {
    static let list = """
        seq, state, attempts, last_error, next_attempt_at, enqueued_at,
        claimed_at, delivered_at, rejected_at, rejected_reason, personal_data_purged_at, record_bytes, \(StoredEvaluation.columns)
        """

    /// One record by its evaluation id, in any state, on `db`'s transaction.
    static func record(_ id: EvaluationID, on db: Connection) throws -> QueuedRecord? {
        try db.prepare("SELECT \(list) FROM evaluations WHERE evaluation_id = ?").rows([id.description], read).first
    }

    static func read(_ row: Statement) throws -> QueuedRecord {
        let evaluation = try StoredEvaluation.decode(row, from: 12)
        func date(_ column: Int32) -> Date? { row.column(column, as: Double.self).map(Date.init(timeIntervalSince1970:)) }
        return QueuedRecord(
            sequence: row.column(0, as: Int64.self) ?? 0,
            evaluation: evaluation,
            state: RecordState(rawValue: row.column(1, as: String.self) ?? "") ?? .pending,
            attempts: row.column(2, as: Int.self) ?? 0,
            lastError: row.column(3, as: String.self),
            nextAttemptAt: date(4) ?? .distantPast,
            enqueuedAt: date(5) ?? .distantPast,
            claimedAt: date(6),
            deliveredAt: date(7),
            rejectedAt: date(8),
            rejectedReason: row.column(9, as: String.self),
            personalDataPurgedAt: date(10),
            recordBytes: row.column(11, as: Int.self) ?? 0
        )
    }
}
