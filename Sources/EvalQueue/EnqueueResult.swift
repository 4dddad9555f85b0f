/// What `enqueue` did. Either way the evaluation is durably stored once.
public enum EnqueueResult: Sendable, Hashable {
    /// Stored now (committed and fsynced before `enqueue` returned).
    case enqueued
    /// An evaluation with this `evaluationId` was already stored: nothing changed.
    case duplicate
}
