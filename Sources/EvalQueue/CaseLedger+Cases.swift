import EvalCore
import Foundation

/// An open case whose default rating is due.
public struct DueCase: Hashable, Sendable {
    public var opening: CaseOpening
    public var dueAt: Date
    public var lastDay: CivilDate
}

/// The ledger's case rows through `CaseLedger`'s own connection: for evalctl
/// (read-only), for tests, and for building files as older agents left them.
/// The daemon never writes through here: every write of a running agent goes
/// through the store's one writer (`EvaluationQueue+Cases.swift`).
extension CaseLedger {
    /// What the ledger knows about a case: passed to `CounterSession.receive`.
    ///
    /// A case the ledger still has open (or never saw) is `rated` when the
    /// queue in the same file holds a citizen's evaluation of it: the queue's
    /// row is the one durable record of a rating.
    public func state(of projectNo: String) throws -> CaseLedgerState {
        try locked { db in try LedgerSQL.caseState(of: projectNo, on: db) }
    }

    /// Records a newly scanned case with its due instant. A case already in the
    /// ledger keeps its first opening (and due date).
    @discardableResult
    public func open(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) throws -> Bool {
        let stored = StoredCaseOpening(opening, due: due)
        return try locked { db in try stored.insert(on: db) }
    }

    /// Marks the case of a citizen's evaluation rated, as an agent did before
    /// the evaluation and its ledger rows shared one transaction. False when
    /// the case was not open.
    @discardableResult
    public func recordRating(_ evaluation: Evaluation) throws -> Bool {
        guard let rated = CaseLedgerUpdate.rated(evaluation) else { return false }
        return try locked { db in try CaseLedgerUpdate.write(rated, on: db) }
    }

    /// Open cases whose default is due at `now`, earliest first.
    public func dueCases(at now: Date, limit: Int = 100) throws -> [DueCase] {
        try locked { db in try LedgerSQL.dueCases(at: now, limit: limit, on: db) }
    }

    /// When the next default falls due.
    public func nextDefaultDue() throws -> Date? {
        try locked { db in try LedgerSQL.nextDefaultDue(on: db) }
    }

    /// The first step of an older agent's two-step default: open → defaulted,
    /// keeping the evaluation until the queue has it. The store's default pass
    /// finishes such rows (`EvaluationQueue.applyDueDefaults`).
    @discardableResult
    public func settleDefault(_ evaluation: Evaluation, at now: Date) throws -> Bool {
        guard let projectNo = evaluation.projectNo else { return false }
        let json = try Self.json(evaluation.withoutPersonalData)
        return try locked { db in try LedgerSQL.settleDefault(evaluation, projectNo: projectNo, at: now, keeping: json, on: db) }
    }

    /// Default evaluations settled but not confirmed in the queue.
    public func unconfirmedDefaults() throws -> [Evaluation] {
        try locked { db in try LedgerSQL.unconfirmedDefaults(on: db) }
    }
}
