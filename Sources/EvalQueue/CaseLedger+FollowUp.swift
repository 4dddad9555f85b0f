import EvalCore
import Foundation

/// The follow-up ledger through the case ledger's own connection (until the
/// single writer runs `FollowUpStore`'s operations itself).
extension CaseLedger {
    public func followUp(of id: EvaluationID) throws -> FollowUpHistory? {
        try locked { try FollowUpStore.history(of: id, on: $0) }
    }

    public func followUps(since: Date? = nil, until: Date? = nil) throws -> [FollowUpHistory] {
        try locked { try FollowUpStore.histories(since: since, until: until, on: $0) }
    }

    /// Unaudited: for tests that build a ledger. An operator's step goes
    /// through the audited overload below.
    @discardableResult
    func appendFollowUpStep(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date) throws -> FollowUpHistory {
        try locked { try FollowUpStore.append(step, to: id, recordedAt: recordedAt, on: $0) }
    }

    /// An operator's step (evalctl with evald stopped) and its audit row, in one transaction.
    public func appendFollowUpStep(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, by actor: AuditActor,
                                   detail: (FollowUpStore.Appended) -> String) throws -> (appended: FollowUpStore.Appended, audit: AuditEntry) {
        try locked { db in
            try db.transaction { try FollowUpStore.appendAudited(step, to: id, recordedAt: recordedAt, by: actor, detail: detail, on: db) }
        }
    }
}
