import EvalCore
import Foundation
import Logging
import Synchronization

/// A claimed row as the writer returns it: the evaluation, or why its
/// columns could not make one.
private struct ClaimedRow: Sendable {
    let sequence: Int64
    let isBad: Bool
    let id: String
    let evaluation: Result<Evaluation, QueueError>
    let attempts: Int
}

extension EvaluationQueue: Outbox {
    /// Up to `limit` due pending records not already claimed: bad reviews
    /// first, then enqueue order. The claim is held in memory (`claimed`)
    /// until `settle`; the read writes nothing, so a delivered record's life
    /// is two commits (enqueue, settle). A record whose stored columns cannot
    /// be read is dead-lettered with the reason rather than blocking the queue.
    public func claim(limit: Int, now: Date) async throws -> [OutboxRecord] {
        guard limit > 0 else { return [] }
        let at = now.timeIntervalSince1970
        let held = claimed.withLock { $0 }
        // On the read connection: every settle before it has committed (it is
        // awaited), and a read takes no write lock, so a claim works on a
        // full disk, where forwarding what is stored is what frees space.
        let candidates = try reader.rows("""
                SELECT seq, is_bad, attempts, \(StoredEvaluation.columns) FROM evaluations
                WHERE state = 'pending' AND next_attempt_at <= ?1
                ORDER BY is_bad DESC, seq LIMIT ?2
                """, [at, limit + held.count]) { row in
                ClaimedRow(
                    sequence: row.column(0, as: Int64.self) ?? 0, isBad: row.column(1, as: Bool.self) ?? false,
                    id: row.column(3, as: String.self) ?? "",
                    evaluation: Result { try StoredEvaluation.decode(row, from: 3) }.mapError { $0 as? QueueError ?? .unreadable("\($0)") },
                    attempts: row.column(2, as: Int.self) ?? 0)
            }
        // At most `held.count` of them are already on the wire.
        let ordered = Array(candidates.lazy.filter { !held.contains($0.id) }.prefix(limit))
        claimed.withLock { for row in ordered { $0.insert(row.id) } }
        var records: [OutboxRecord] = []
        var unreadable: [DeliveryOutcome] = []
        for row in ordered {
            switch row.evaluation {
            case .success(let evaluation):
                records.append(OutboxRecord(evaluation: evaluation, attempts: row.attempts))
            case .failure(let error):
                logger.error("queued record \(row.id) cannot be decoded; dead-lettered: \(error)")
                if let id = EvaluationID(row.id) {
                    unreadable.append(.rejected(id, reason: "evald: stored record unreadable: \(error)"))
                }
            }
        }
        if !unreadable.isEmpty { try await settle(unreadable, now: now) }
        return records
    }

    /// delivered → delivered_at; rejected → dead letter with the platform's
    /// reason; retry → pending again from `notBefore`, attempts + 1; the
    /// claim is released. Outcomes for records no longer pending (already
    /// settled, dropped by an operator) change nothing. `inflight` is matched
    /// too: a file an older agent left so until its next open.
    public func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws {
        guard !outcomes.isEmpty else { return }
        // Released whether or not the settle commits: a record whose outcome
        // was not stored is sent again, and the platform answers `duplicate`.
        defer { claimed.withLock { for outcome in outcomes { $0.remove(outcome.evaluationId.description) } } }
        let at = now.timeIntervalSince1970
        try await writer.perform { context in
            try context.atomically { context in
                for outcome in outcomes { try Self.apply(outcome, at: at, in: &context) }
            }
        }
    }

    private static func apply(_ outcome: DeliveryOutcome, at: Double, in context: inout WriteContext) throws {
        let db = context.connection
        let open = "state IN ('pending', 'inflight')"
        switch outcome {
        case .delivered(let id):
            let bytes = try db.prepare("""
                UPDATE evaluations SET state = 'delivered', delivered_at = ?1, claimed_at = NULL, attempts = attempts + 1
                WHERE evaluation_id = ?2 AND \(open) RETURNING record_bytes
                """).rows([at, id.description]) { $0.column(0, as: Int.self) ?? 0 }
            for b in bytes { context.counters.records -= 1; context.counters.bytes -= b }
        case .rejected(let id, let reason):
            let bytes = try db.prepare("""
                UPDATE evaluations SET state = 'rejected', rejected_at = ?1, rejected_reason = ?2, claimed_at = NULL,
                    attempts = attempts + 1, last_error = ?2, last_error_at = ?1
                WHERE evaluation_id = ?3 AND \(open) RETURNING record_bytes
                """).rows([at, reason, id.description]) { $0.column(0, as: Int.self) ?? 0 }
            for b in bytes { context.counters.records -= 1; context.counters.bytes -= b }
        case .retry(let id, let error, let notBefore, _):
            try db.prepare("""
                UPDATE evaluations SET state = 'pending', claimed_at = NULL, attempts = attempts + 1,
                    last_error = ?1, last_error_at = ?2, next_attempt_at = ?3
                WHERE evaluation_id = ?4 AND \(open)
                """).run([error, at, notBefore.timeIntervalSince1970, id.description])
            if db.changes > 0 { context.addedPending = true }
        }
    }

    public func release(_ ids: [EvaluationID]) async {
        claimed.withLock { for id in ids { $0.remove(id.description) } }
    }

    /// Rewrites the time of records still open (`assessed_ref` and where it
    /// came from); the evaluator's identity and every other field are untouched.
    public func redate(_ evaluations: [Evaluation]) async throws {
        guard !evaluations.isEmpty else { return }
        try await writer.perform { context in
            try context.atomically { context in
                let statement = try context.connection.prepare(Self.redateSQL)
                for e in evaluations {
                    try statement.run(Self.redateParameters(e))
                }
            }
        }
    }

    static let redateSQL = """
        UPDATE evaluations SET assessed_ref = ?1, recorded_boot_id = ?2, recorded_boot = ?3, recorded_trusted = ?4
        WHERE evaluation_id = ?5 AND state IN ('pending', 'inflight')
        """

    static func redateParameters(_ e: Evaluation) -> [any Bindable] {
        let time = e.recordedTime
        return [e.assessedAt.timeIntervalSinceReferenceDate, time.map { $0.bootID as any Bindable } ?? SQLNull(),
                time.map { $0.boot as any Bindable } ?? SQLNull(), time.map { ($0.trusted ? 1 : 0) as any Bindable } ?? SQLNull(),
                StoredEvaluation.lowercaseUUID(e.evaluationId.uuid)]
    }

    public func nextDue() async throws -> Date? {
        try reader.nextDue()
    }

    public func onPending(_ wake: @escaping @Sendable () -> Void) {
        signals.add(wake)
    }
}
