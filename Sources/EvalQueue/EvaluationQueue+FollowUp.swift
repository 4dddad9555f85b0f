import EvalCore
import Foundation

/// The rectification ledger's part of the store: operator steps and sent
/// deadline alerts are written by the store's one writer, follow-ups are read
/// on the read-only connection. evalctl with evald stopped opens this same
/// store, holding the instance lock: then it is the only writer.
extension EvaluationQueue {
    /// Checks `step` against the follow-up's state and appends it, purging the
    /// evaluator's identity in the same transaction once no call-back needs it,
    /// and writes the operator's audit row (its `detail` made from what was
    /// appended) in that transaction too: the step and its row commit together.
    public func appendFollowUpStep(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, by actor: AuditActor,
                                   detail: @escaping @Sendable (FollowUpStore.Appended) -> String) async throws -> (appended: FollowUpStore.Appended, audit: AuditEntry) {
        try await writer.perform { context in
            try context.atomically {
                try FollowUpStore.appendAudited(step, to: id, recordedAt: recordedAt, by: actor, detail: detail, on: $0.connection)
            }
        }
    }

    public func followUps(since: Date? = nil, until: Date? = nil) async throws -> [FollowUpHistory] {
        try reader.followUps(since: since, until: until)
    }

    public func deadlineAlertsSent() async throws -> Set<DeadlineAlert.Key> {
        try reader.deadlineAlertsSent()
    }

    /// Remembers that `alert` was given, so a restart does not give it again.
    public func recordDeadlineAlert(_ alert: DeadlineAlert, at now: Date) async throws {
        try await writer.perform { context in try LedgerSQL.recordDeadlineAlert(alert, at: now, on: context.connection) }
    }
}
