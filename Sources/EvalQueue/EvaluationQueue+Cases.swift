import EvalCore
import Foundation

/// The case ledger's part of the store: every write runs on the store's one
/// writer (its own transaction, or a group commit shared with enqueues); every
/// read runs on the read-only connection, off the caller's executor. No second
/// connection writes to the file.
extension EvaluationQueue {
    /// What the store knows about a case (see `LedgerSQL.caseState`). Throws
    /// when the file cannot be read: the caller must then fail closed
    /// (`CaseLedgerState.unavailable`), never assume the case is unrated.
    /// A rating submitted and not yet committed counts as rated.
    public func caseState(of projectNo: String) async throws -> CaseLedgerState {
        if ratingsInFlight.contains(projectNo) { return .rated }
        return try reader.caseState(of: projectNo)
    }

    /// Records a scanned case and its due instant, and returns once durable.
    /// An existing case keeps its first opening. True if newly opened.
    @discardableResult
    public func openCase(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) async throws -> Bool {
        let stored = StoredCaseOpening(opening, due: due)
        return try await writer.perform { context in try stored.insert(on: context.connection) }
    }

    /// The same, without waiting: the row joins the next group commit, ahead of
    /// any write submitted after it (so a rating of the case is never committed
    /// before its opening), and `completion` reports the outcome. A rating of
    /// the case submitted before that commit begins writes the row with it,
    /// already rated (`CaseOpeningWrite`).
    public func submitOpenCase(_ opening: CaseOpening, due: DefaultRatingScheduler.Due,
                               completion: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        writer.submit(opening: CaseOpeningWrite(StoredCaseOpening(opening, due: due), completion: completion))
    }

    /// Keeps a filtered press for audit (rule 2) without waiting: it joins the
    /// next group commit (see `submitOpenCase`); `completion` says how it went.
    public func submitFiltered(_ press: FilteredPress, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        writer.submit({ context in try Self.stageFiltered(press, &context) }, completion: completion)
    }

    private static func stageFiltered(_ press: FilteredPress, _ context: inout WriteContext) throws {
        try context.checkFreeSpace(adding: 256, for: "filtered press on \(press.deviceId)")
        try LedgerSQL.recordFiltered(press, on: context.connection)
    }

    /// When the next default falls due (nil: no open case).
    /// Records on the open case's row that its window had no evaluator online
    /// (the first such instant is kept). False when the case is not open:
    /// rated already, or unknown.
    @discardableResult
    public func noteEvaluatorOffline(projectNo: String, at: Date) async throws -> Bool {
        try await writer.perform { context in
            try context.connection.prepare("""
                UPDATE ledger_cases SET evaluator_offline_at = coalesce(evaluator_offline_at, ?2) WHERE project_no = ?1 AND state = 'open'
                """).run([projectNo, at.timeIntervalSince1970])
            return context.connection.changes == 1
        }
    }

    public func nextDefaultDue() async throws -> Date? {
        try reader.nextDefaultDue()
    }

    /// One pass of rule 3, safe at any time and after any crash. Each case is
    /// **one transaction**: its default evaluation is inserted and the case
    /// marked defaulted together, or neither happens. A refused insert (cap,
    /// disk full) leaves the case open and due: it is reported in the result
    /// and tried again by the next pass. A case whose citizen's rating is
    /// already in the queue is marked rated instead. Rows an older agent
    /// settled but never confirmed are finished first, with their own id.
    public func applyDueDefaults(at now: Date, makeID: @Sendable (Date) -> EvaluationID = { EvaluationID.make(at: $0) }) async -> DefaultPass {
        var pass = DefaultPass()
        do {
            for evaluation in try reader.unconfirmedDefaults() {
                await finishLegacyDefault(evaluation, into: &pass)
            }
            var refused: Set<String> = []
            while true {
                let due = try reader.dueCases(at: now, limit: 100 + refused.count).filter { !refused.contains($0.opening.ticket.projectNo) }
                if due.isEmpty { break }
                for dueCase in due {
                    let projectNo = dueCase.opening.ticket.projectNo
                    let evaluation = DefaultRatingScheduler.evaluation(for: dueCase.opening, dueAt: dueCase.dueAt, id: makeID(dueCase.dueAt))
                    do {
                        switch try await settleDefault(evaluation, projectNo: projectNo, at: now) {
                        case .enqueued: pass.enqueued.append(evaluation)
                        case .alreadyRated: pass.markedRated.append(projectNo)
                        case .notOpen: break
                        }
                    } catch {
                        refused.insert(projectNo)
                        pass.refused.append(DefaultPass.Refusal(projectNo: projectNo, error: error))
                    }
                }
            }
            pass.nextDue = try reader.nextDefaultDue()
        } catch {
            pass.readError = error
        }
        return pass
    }

    private enum DefaultSettlement: Sendable { case enqueued, alreadyRated, notOpen }

    private func settleDefault(_ evaluation: Evaluation, projectNo: String, at now: Date) async throws -> DefaultSettlement {
        let stored = StoredEvaluation(evaluation)
        let at = clock.now().timeIntervalSince1970
        return try await writer.perform { context in
            try context.atomically { context in
                let db = context.connection
                if let rated = try LedgerSQL.queuedCitizenEvaluation(of: projectNo, on: db) {
                    return try LedgerSQL.markRated(projectNo, evaluationId: rated, at: now, on: db) ? .alreadyRated : .notOpen
                }
                // Read before settling: the default says whether anybody could rate.
                let offline = try db.scalar("SELECT evaluator_offline_at FROM ledger_cases WHERE project_no = ? AND state = 'open'",
                                            [projectNo], as: Double.self)
                guard try LedgerSQL.settleDefault(evaluation, projectNo: projectNo, at: now, keeping: nil, on: db) else { return .notOpen }
                _ = try Self.insert(stored, at: at, evaluatorOfflineAt: offline, into: &context)
                return .enqueued
            }
        }
    }

    private func finishLegacyDefault(_ evaluation: Evaluation, into pass: inout DefaultPass) async {
        let stored = StoredEvaluation(evaluation)
        let at = clock.now().timeIntervalSince1970
        do {
            try await writer.perform { context in
                try context.atomically { context in
                    _ = try Self.insert(stored, at: at, into: &context)
                    try LedgerSQL.confirmDefaultEnqueued(evaluation.evaluationId, on: context.connection)
                }
            }
            pass.enqueued.append(evaluation)
        } catch {
            pass.refused.append(DefaultPass.Refusal(projectNo: evaluation.projectNo ?? "-", error: error))
        }
    }
}

/// What one default pass did, for the pipeline to log, count and report.
public struct DefaultPass: Sendable {
    public struct Refusal: Sendable {
        public var projectNo: String
        public var error: any Error
    }

    /// Default evaluations now durably queued.
    public var enqueued: [Evaluation] = []
    /// Cases found already rated by a queued citizen's evaluation.
    public var markedRated: [String] = []
    /// Cases whose default the queue refused: still open and due.
    public var refused: [Refusal] = []
    /// The store could not be read: nothing was decided.
    public var readError: (any Error)?
    /// When the next default falls due, as far as this pass knows.
    public var nextDue: Date?
}
