import EvalCore
import Foundation
import Logging

/// What one `prune` pass removed.
public struct PruneResult: Sendable, Hashable {
    /// Delivered records older than the audit retention, deleted.
    public var deleted: Int
    /// Records (any state) and bad reviews whose evaluator identity was erased.
    public var personalDataPurged: Int
    /// Filtered presses older than the audit retention, deleted.
    public var filteredPressesDeleted: Int = 0
    /// Quarantined queue files removed past their retention.
    public var quarantinedFilesRemoved: [String] = []
}

extension EvaluationQueue {
    /// Housekeeping, run at start and hourly by the daemon: erases personal
    /// data past its retention, then deletes delivered records and filtered
    /// presses past the audit retention. Works in transactions of at most
    /// `pruneBatchSize` rows, each its own writer operation, so enqueues never
    /// wait behind a long delete.
    @discardableResult
    public func prune(now: Date) async throws -> PruneResult {
        let purged = try await purgePersonalData(now: now)
        let cutoff = now.addingTimeInterval(-Double(configuration.deliveredRetentionDays) * 86_400).timeIntervalSince1970
        let deleted = try await inBatches { db, batch in
            try db.prepare(Self.settlePrunedCasesSQL).run([cutoff, batch])
            try db.prepare("DELETE FROM evaluations WHERE seq IN (\(Self.prunedBatch))").run([cutoff, batch])
        }
        // A chattering keypad's presses are audit, kept as long as the
        // ratings they were filtered against, not for ever.
        let filtered = try await inBatches { db, batch in
            try db.prepare("""
                DELETE FROM filtered_presses WHERE id IN (SELECT id FROM filtered_presses WHERE pressed_at < ?1 ORDER BY pressed_at LIMIT ?2)
                """).run([cutoff, batch])
        }
        if deleted > 0 || purged > 0 || filtered > 0 {
            logger.info("queue housekeeping: deleted \(deleted) delivered record(s) and \(filtered) filtered press(es) past \(configuration.deliveredRetentionDays) days, erased personal data of \(purged)")
        }
        // A reserve given back to a full disk is taken again once there is room.
        DiskReserve(queuePath: configuration.path, bytes: configuration.diskReserveBytes).ensure(floor: configuration.minFreeBytes)
        let removed = QuarantineRetention.apply(beside: configuration.path, retention: configuration.quarantineRetention,
                                                now: now, warned: warnedQuarantines, logger: logger)
        return PruneResult(deleted: deleted, personalDataPurged: purged, filteredPressesDeleted: filtered,
                           quarantinedFilesRemoved: removed)
    }

    /// Runs `statement` (given the connection and the batch size) in its own
    /// transaction until it changes fewer rows than a batch; the rows changed.
    private func inBatches(_ statement: @escaping @Sendable (Connection, Int) throws -> Void) async throws -> Int {
        let batch = max(1, configuration.pruneBatchSize)
        var total = 0
        while true {
            let count = try await writer.perform { context -> Int in
                try context.atomically { context in
                    try statement(context.connection, batch)
                    return context.connection.changes
                }
            }
            total += count
            if count < batch { return total }
        }
    }

    /// One prune batch: ordered, so the settling INSERT and the DELETE in the
    /// same transaction select the same rows (`evaluations_delivered` holds
    /// them in this order: no sort).
    static let prunedBatch = """
        SELECT seq FROM evaluations WHERE state = 'delivered' AND delivered_at < ?1 ORDER BY delivered_at, seq LIMIT ?2
        """
    static let settlePrunedCasesSQL = LedgerSQL.settleLeavingSQL(selectingSeqs: prunedBatch)

    /// Erases evaluator identities past their retention (rule 6: kept only as
    /// long as needed), in every state: delivered records after
    /// `personalDataRetention`, dead letters and time-uncertain records after
    /// `undeliveredPersonalDataRetention`, a bad review's copy for the
    /// call-back after `badReviewIdentityMaxAge` (the call-back erases it
    /// sooner). The rest of each record stays. `secure_delete` zeroes the old
    /// bytes in the file; a truncating checkpoint then empties the WAL, so
    /// the names are in neither. Returns the rows erased.
    @discardableResult
    public func purgePersonalData(now: Date) async throws -> Int {
        let at = clock.now().timeIntervalSince1970
        let delivered = now.addingTimeInterval(-configuration.personalDataRetention).timeIntervalSince1970
        let undelivered = now.addingTimeInterval(-configuration.undeliveredPersonalDataRetention).timeIntervalSince1970
        let badReview = now.addingTimeInterval(-configuration.badReviewIdentityMaxAge).timeIntervalSince1970
        var purged = try await inBatches { db, batch in
            try db.prepare("""
                UPDATE evaluations SET evaluator_name = NULL, evaluator_cert_key = NULL, evaluator_user_prop = NULL,
                    \(NationalColumns.personal.map { "\($0) = NULL" }.joined(separator: ", ")),
                    personal_data_purged_at = ?1 WHERE seq IN (
                    SELECT seq FROM evaluations WHERE (evaluator_name IS NOT NULL
                        OR \(NationalColumns.personal.map { "\($0) IS NOT NULL" }.joined(separator: " OR "))) AND (
                        (state = 'delivered' AND delivered_at < ?2)
                        OR (state = 'rejected' AND rejected_at < ?3)
                        OR (state = 'pending' AND last_error LIKE 'time-uncertain%' AND enqueued_at < ?3))
                    LIMIT ?4)
                """).run([at, delivered, undelivered, batch])
        }
        purged += try await inBatches { db, batch in
            try db.prepare("""
                UPDATE bad_reviews SET evaluator_name = NULL, evaluator_cert = NULL WHERE evaluation_id IN (
                    SELECT evaluation_id FROM bad_reviews WHERE evaluator_name IS NOT NULL AND assessed_at < ?1 LIMIT ?2)
                """).run([badReview, batch])
        }
        if purged > 0 { try await writer.perform { $0.checkpointAfterCommit = true } }
        return purged
    }
}
