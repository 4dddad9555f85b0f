import EvalCore
import Foundation
import Logging

/// What one `prune` pass removed.
public struct PruneResult: Sendable, Hashable {
    /// Delivered records older than the audit retention, deleted.
    public var deleted: Int
    /// Delivered records whose evaluator identity was purged.
    public var personalDataPurged: Int
}

extension EvaluationQueue {
    /// Housekeeping, meant to run every few minutes: purges personal data past
    /// its retention, then deletes delivered records past the audit retention.
    /// Works in transactions of at most `pruneBatchSize` rows, each its own
    /// writer operation, so enqueues never wait behind a long delete.
    /// Also re-counts the pending caps from the file, correcting any drift if
    /// another process (`QueueEditor`) changed records, and signals the
    /// forwarder when records are pending.
    @discardableResult
    public func prune(now: Date) async throws -> PruneResult {
        let purged = try await purgePersonalData(olderThan: now.addingTimeInterval(-configuration.personalDataRetention))
        let cutoff = now.addingTimeInterval(-Double(configuration.deliveredRetentionDays) * 86_400).timeIntervalSince1970
        let batch = max(1, configuration.pruneBatchSize)
        var deleted = 0
        while true {
            let count = try await writer.perform { context -> Int in
                try context.atomically { context in
                    let db = context.connection
                    try db.prepare(Self.settlePrunedCasesSQL).run([cutoff, batch])
                    try db.prepare("DELETE FROM evaluations WHERE seq IN (\(Self.prunedBatch))").run([cutoff, batch])
                    return db.changes
                }
            }
            deleted += count
            if count < batch { break }
        }
        try await writer.perform { context in
            context.counters = try Self.loadCounters(context.connection)
            // Wake the forwarder if anything waits, so a record another process
            // made pending (QueueEditor.retry) is sent within one housekeeping period.
            context.addedPending = context.counters.records > 0
        }
        if deleted > 0 || purged > 0 {
            logger.info("queue housekeeping: deleted \(deleted) delivered record(s) past \(configuration.deliveredRetentionDays) days, purged personal data of \(purged)")
        }
        return PruneResult(deleted: deleted, personalDataPurged: purged)
    }

    /// One prune batch: ordered, so the settling INSERT and the DELETE in the
    /// same transaction select the same rows (`evaluations_delivered` holds
    /// them in this order: no sort).
    static let prunedBatch = """
        SELECT seq FROM evaluations WHERE state = 'delivered' AND delivered_at < ?1 ORDER BY delivered_at, seq LIMIT ?2
        """
    static let settlePrunedCasesSQL = LedgerSQL.settleLeavingSQL(selectingSeqs: prunedBatch)

    /// Removes the evaluator's identity from records delivered before `cutoff`
    /// (rule 6: kept only as long as needed). The rest of each record stays.
    /// Undelivered and dead-lettered records keep it: they still have to be sent.
    @discardableResult
    public func purgePersonalData(olderThan cutoff: Date) async throws -> Int {
        let at = clock.now().timeIntervalSince1970
        let limit = cutoff.timeIntervalSince1970
        let batch = max(1, configuration.pruneBatchSize)
        var purged = 0
        while true {
            let count = try await writer.perform { context -> Int in
                try context.connection.prepare("""
                    UPDATE evaluations SET evaluator_name = NULL, evaluator_cert_key = NULL, evaluator_user_prop = NULL,
                        personal_data_purged_at = ?1 WHERE seq IN (
                        SELECT seq FROM evaluations
                        WHERE state = 'delivered' AND delivered_at < ?2 AND evaluator_name IS NOT NULL LIMIT ?3)
                    """).run([at, limit, batch])
                return context.connection.changes
            }
            purged += count
            if count < batch { break }
        }
        return purged
    }
}
