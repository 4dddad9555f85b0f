import EvalCore
import Foundation

/// An open case whose default rating is due.
public struct DueCase: Hashable, Sendable {
    public var opening: CaseOpening
    public var dueAt: Date
    public var lastDay: CivilDate
}

extension CaseLedger {
    /// What the ledger knows about a case: passed to `CounterSession.receive`.
    ///
    /// A case the ledger still has open (or never saw) is `rated` when the
    /// queue in the same file holds a citizen's evaluation of it: the queue's
    /// row is the one durable record of a rating, so even an agent that wrote
    /// the ledger after the enqueue and crashed in between cannot accept a
    /// second rating of that case.
    public func state(of projectNo: String) throws -> CaseLedgerState {
        try locked { db in
            let row = try db.prepare("""
                SELECT (SELECT state FROM ledger_cases WHERE project_no = ?1),
                       EXISTS (SELECT 1 FROM evaluations WHERE project_no = ?1 AND evaluation_type = 1)
                """).rows([projectNo]) { ($0.column(0, as: String.self), $0.column(1, as: Bool.self) ?? false) }.first
            let ledger = row?.0.map { CaseLedgerState(rawValue: $0) ?? .open } ?? .unknown
            let queued = row?.1 ?? false
            switch ledger {
            case .unknown, .open: return queued ? .rated : ledger
            default: return ledger
            }
        }
    }

    /// Records a newly scanned case with its due instant. A case already in the
    /// ledger keeps its first opening (and due date): re-scanning never
    /// postpones a default.
    @discardableResult
    public func open(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) throws -> Bool {
        let json = try Self.json(opening)
        return try locked { db in
            try db.prepare("""
                INSERT INTO ledger_cases(project_no, window_code, opening, opened_at, due_at, last_day)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(project_no) DO NOTHING
                """).run([opening.ticket.projectNo, opening.window.windowCode, json,
                          opening.openedAt.timeIntervalSince1970, due.dueAt.timeIntervalSince1970, due.lastDay.description])
            return db.changes == 1
        }
    }

    /// Marks the case of a citizen's evaluation rated. Call after the
    /// evaluation is in the queue, or better, let the queue do it in the same
    /// transaction: `EvaluationQueue.enqueue(_:ledger:)`. Returns false when
    /// the case was not open (not in the ledger, or already settled).
    @discardableResult
    public func recordRating(_ evaluation: Evaluation) throws -> Bool {
        guard let rated = CaseLedgerUpdate.rated(evaluation) else { return false }
        return try locked { db in try CaseLedgerUpdate.write(rated, on: db) }
    }

    /// Open cases whose default is due at `now`, earliest first.
    public func dueCases(at now: Date, limit: Int = 100) throws -> [DueCase] {
        try locked { db in
            try db.prepare("""
                SELECT opening, due_at, last_day FROM ledger_cases
                WHERE state = 'open' AND due_at <= ? ORDER BY due_at LIMIT ?
                """).rows([now.timeIntervalSince1970, limit]) { row in
                DueCase(
                    opening: try Self.decode(CaseOpening.self, json: row.column(0) ?? ""),
                    dueAt: Date(timeIntervalSince1970: row.column(1) ?? 0),
                    lastDay: CivilDate(row.column(2) ?? "") ?? CivilDate(year: 1970, month: 1, day: 1)
                )
            }
        }
    }

    /// When the next default falls due, for the scheduler's sleep.
    public func nextDefaultDue() throws -> Date? {
        try locked { db in
            try db.scalar("SELECT min(due_at) FROM ledger_cases WHERE state = 'open'", as: Double.self)
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Step 1 of a default: open → defaulted, keeping the evaluation (with its
    /// id) until the queue has it. False if the case was rated meanwhile.
    @discardableResult
    public func settleDefault(_ evaluation: Evaluation, at now: Date) throws -> Bool {
        guard let projectNo = evaluation.projectNo else { return false }
        let json = try Self.json(evaluation.withoutPersonalData)
        return try locked { db in
            try db.prepare("""
                UPDATE ledger_cases SET state = 'defaulted', evaluation_id = ?, settled_at = ?, default_evaluation = ?
                WHERE project_no = ? AND state = 'open'
                """).run([evaluation.evaluationId.description, now.timeIntervalSince1970, json, projectNo])
            return db.changes == 1
        }
    }

    /// Default evaluations settled but not confirmed in the queue: after a
    /// crash, enqueue them again with the same id (the queue and the platform
    /// treat a repeated id as a duplicate, never a second evaluation).
    public func unconfirmedDefaults() throws -> [Evaluation] {
        try locked { db in
            try db.prepare("""
                SELECT default_evaluation FROM ledger_cases
                WHERE state = 'defaulted' AND default_enqueued = 0 ORDER BY settled_at
                """).rows { row in try Self.decode(Evaluation.self, json: row.column(0) ?? "") }
        }
    }

    /// Step 2 of a default: the queue has it; the ledger forgets the copy.
    public func confirmDefaultEnqueued(_ id: EvaluationID) throws {
        try locked { db in
            try db.prepare("""
                UPDATE ledger_cases SET default_enqueued = 1, default_evaluation = NULL
                WHERE evaluation_id = ? AND state = 'defaulted'
                """).run([id.description])
        }
    }

    /// Repairs a case the queue already holds an active evaluation for (a
    /// crash between enqueueing a citizen's rating and `recordRating`).
    @discardableResult
    public func markRated(_ projectNo: String, evaluationId: EvaluationID, at now: Date) throws -> Bool {
        try locked { db in
            try db.prepare("""
                UPDATE ledger_cases SET state = 'rated', evaluation_id = ?, settled_at = ?
                WHERE project_no = ? AND state = 'open'
                """).run([evaluationId.description, now.timeIntervalSince1970, projectNo])
            return db.changes == 1
        }
    }

    /// A citizen's evaluation of `projectNo` in the queue's table of the same
    /// file, if any: the durable record of a rating, so a case left open by a
    /// crash between a separate enqueue and `recordRating` is marked rated,
    /// never defaulted, even when the caller passes no `queuedEvaluation`.
    func queuedCitizenEvaluation(of projectNo: String) throws -> EvaluationID? {
        try locked { db in
            try db.scalar("""
                SELECT evaluation_id FROM evaluations
                WHERE project_no = ? AND evaluation_type = 1 ORDER BY seq LIMIT 1
                """, [projectNo], as: String.self).flatMap(EvaluationID.init)
        }
    }

    /// One pass of rule 3, safe to run at any time and after any crash:
    /// re-enqueues defaults left unconfirmed, then settles and enqueues every
    /// case due at `now`. `enqueue` must be idempotent on `evaluationId`.
    /// `queuedEvaluation`, when the queue can answer it, returns the id of a
    /// citizen's evaluation already queued for a case: such a case is marked
    /// rated instead of defaulted, closing the crash window between enqueue
    /// and `recordRating`. Returns the evaluations enqueued in this pass.
    @discardableResult
    public func applyDueDefaults(
        at now: Date,
        makeID: (Date) -> EvaluationID = { EvaluationID.make(at: $0) },
        queuedEvaluation: (_ projectNo: String) throws -> EvaluationID? = { _ in nil },
        enqueue: (Evaluation) throws -> Void
    ) throws -> [Evaluation] {
        var enqueued: [Evaluation] = []
        for evaluation in try unconfirmedDefaults() {
            try enqueue(evaluation)
            try confirmDefaultEnqueued(evaluation.evaluationId)
            enqueued.append(evaluation)
        }
        while true {
            let due = try dueCases(at: now)
            if due.isEmpty { break }
            for dueCase in due {
                let projectNo = dueCase.opening.ticket.projectNo
                if let rated = try queuedEvaluation(projectNo) ?? queuedCitizenEvaluation(of: projectNo) {
                    try markRated(projectNo, evaluationId: rated, at: now)
                    continue
                }
                let evaluation = DefaultRatingScheduler.evaluation(for: dueCase.opening, dueAt: dueCase.dueAt, id: makeID(dueCase.dueAt))
                guard try settleDefault(evaluation, at: now) else { continue }
                try enqueue(evaluation)
                try confirmDefaultEnqueued(evaluation.evaluationId)
                enqueued.append(evaluation)
            }
        }
        return enqueued
    }
}
