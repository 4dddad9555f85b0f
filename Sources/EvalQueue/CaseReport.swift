import EvalCore
import Foundation

/// Everything the file knows about one case, for an operator (`evalctl case`):
/// whether a press for it would be a rating or a repeat, and why. The ledger
/// table alone does not say: a case opened and rated in one batch is recorded
/// by its queued evaluation until that leaves the table (migration ledger-008).
public struct CaseReport: Sendable {
    /// Where the file records the case.
    public enum RecordedBy: String, Sendable {
        /// The case's own row in `ledger_cases`.
        case ledger
        /// Only its citizen's evaluation, still in the queue.
        case queue
    }

    public var projectNo: String
    /// What a scan of it reads (`LedgerSQL.caseState`).
    public var state: CaseLedgerState
    /// Nil: the file has never seen the case.
    public var recordedBy: RecordedBy?
    public var windowCode: String?
    /// When it was scanned (the first opening).
    public var openedAt: Date?
    /// When its default rating falls due, while it is open.
    public var dueAt: Date?
    /// When it was rated or defaulted.
    public var settledAt: Date?
    /// The evaluation that settled it.
    public var evaluationId: EvaluationID?
    /// That evaluation, while the queue still holds it (nil once pruned or dropped).
    public var record: QueuedRecord?
    /// Presses for it kept for audit and never sent (repeats above all), oldest first.
    public var filtered: [FilteredPress]
    /// The first instant the window had no evaluator online while the case
    /// was open: a default rating then means nobody could rate.
    public var evaluatorOfflineAt: Date?
}
