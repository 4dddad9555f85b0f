import EvalCore
import Foundation
import Logging
import Synchronization

/// The crash-safe outbox of evaluations: a SQLite file in WAL mode with
/// `synchronous=FULL`, written by one group-commit writer thread.
///
/// `enqueue` returns only once the evaluation is durably committed, so an
/// evaluation acknowledged to the citizen survives a power cut. The forwarder
/// drains it through `Outbox`; the operator inspects and repairs it through
/// the methods in `EvaluationQueue+Operator.swift` (or a `QueueReader` from
/// another process). Open each queue file once per process.
public final class EvaluationQueue: Sendable {
    public let configuration: QueueConfiguration
    let writer: GroupCommitWriter
    let reader: QueueReader
    let signals: PendingSignals
    let clock: any WallClock
    let logger: Logger
    /// Where a damaged queue file found at open was moved (salvage it as
    /// docs/queue.md describes), or nil.
    public let quarantinedFile: String?
    /// Cases whose rating is submitted but not yet committed (see `submit`).
    let ratingsInFlight = RatingsInFlight()
    /// Records the forwarder holds (claimed, not yet settled), by evaluation
    /// id. In memory only: a crash would return claimed records to the queue
    /// anyway, so a durable claim cost a commit per batch and guaranteed
    /// nothing. In the file they stay pending, which is what they are until
    /// the platform answers (an outage shows its whole backlog as pending).
    let claimed = Mutex<Set<String>>([])
    /// Quarantined files already warned of in this process (`QuarantineRetention`).
    let warnedQuarantines = Mutex<Set<String>>([])

    /// Opens or creates the queue. A damaged file is moved aside (see
    /// `QueueFile`); records left in flight by a crash become pending again.
    public init(
        configuration: QueueConfiguration,
        clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "evald.queue")
    ) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        let reserve = DiskReserve(queuePath: configuration.path, bytes: configuration.diskReserveBytes)
        let (connection, quarantined): (Connection, String?)
        do {
            (connection, quarantined) = try QueueFile.openWriter(path: configuration.path, now: clock.now(), logger: logger)
        } catch where reserve.isHeld {
            // On a disk full to its last byte not even the WAL index can be
            // created: give the reserve back and open again, once.
            reserve.release()
            logger.critical("the queue could not be opened (\(error)); released its \(reserve.bytes) byte reserve on the full disk and opened again")
            (connection, quarantined) = try QueueFile.openWriter(path: configuration.path, now: clock.now(), logger: logger)
        }
        quarantinedFile = quarantined
        try connection.execute("UPDATE evaluations SET state = 'pending', claimed_at = NULL WHERE state = 'inflight'")
        let recovered = connection.changes
        if recovered > 0 {
            logger.warning("\(recovered) evaluation(s) were in flight when the agent stopped; pending again (the platform deduplicates by evaluationId)",
                           metadata: ["path": "\(configuration.path)"])
        }
        let counters = try Self.loadCounters(connection)
        reserve.ensure(floor: configuration.minFreeBytes)
        reader = try QueueReader(path: configuration.path)
        let signals = PendingSignals()
        self.signals = signals
        // Last: nothing after this may throw, or the writer thread would outlive us.
        writer = GroupCommitWriter(
            connection: connection, configuration: configuration, counters: counters,
            logger: logger, onPendingAdded: { signals.signal() })
    }

    deinit { writer.stop() }

    /// Commits what is waiting, then stops the writer. Later calls fail with
    /// `QueueError.closed`. Pending-signal streams finish.
    public func close() {
        writer.stop()
        signals.finish()
    }

    /// Group-commit figures since open.
    public var writerStatistics: WriterStatistics { writer.currentStatistics }

    static func loadCounters(_ connection: Connection) throws -> PendingCounters {
        let row = try connection.prepare("""
            SELECT count(*), coalesce(sum(record_bytes), 0) FROM evaluations WHERE state IN ('pending', 'inflight')
            """).rows { ($0.column(0, as: Int.self) ?? 0, $0.column(1, as: Int.self) ?? 0) }.first ?? (0, 0)
        return PendingCounters(records: row.0, bytes: row.1)
    }

    /// Stores `evaluation` durably, exactly once per `evaluationId`.
    ///
    /// Returns after COMMIT and its fsync. Concurrent callers share one
    /// transaction and one fsync. Throws `QueueError.full` at a configured cap
    /// (nothing is dropped to make room) and `QueueError.diskFull` when SQLite
    /// cannot write; in both cases nothing was stored.
    @discardableResult
    public func enqueue(_ evaluation: Evaluation) async throws -> EnqueueResult {
        let stored = StoredEvaluation(evaluation)
        let now = clock.now().timeIntervalSince1970
        return try await writer.perform { context in
            try Self.insert(stored, at: now, into: &context)
        }
    }

    /// Stores `evaluation` and writes the case ledger's part of it (`ledger`:
    /// its case rated, a bad review's line in the 台账) **in the same
    /// transaction**: after a crash either both are in the file or neither is,
    /// so a case whose rating was acknowledged can never take a second one, and
    /// a queued bad review is always in the 台账. A repeat (`.duplicate`) writes
    /// the ledger rows again (idempotent), which repairs a file written by an
    /// agent that updated the ledger separately. If the ledger rows cannot be
    /// written, the evaluation is not stored either and the error is thrown.
    @discardableResult
    public func enqueue(_ evaluation: Evaluation, ledger: CaseLedgerUpdate) async throws -> EnqueueResult {
        let stored = StoredEvaluation(evaluation)
        let now = clock.now().timeIntervalSince1970
        return try await writer.perform { context in try Self.insert(stored, ledger: ledger, at: now, into: &context) }
    }

    /// The evaluation and its ledger rows, together or not at all.
    ///
    /// A bad review's rows (its case, its 台账 line) run in a savepoint. A
    /// case's rating alone, the common case, does not: a savepoint copies every
    /// page it touches into a sub-journal, and was a third of a case rating's
    /// cost on the writer. Its one ledger statement runs after the insert; if
    /// it fails, the insert is undone by deleting the row, and if even that
    /// fails the whole batch is rolled back (every caller hears the error):
    /// never an evaluation without its ledger row.
    ///
    /// `opening`: the case's row, staged in this batch and absorbed by the
    /// rating (`CaseOpeningWrite`). A case not in the file yet then gets no
    /// row while the evaluation is queued: the evaluation's row, holding the
    /// scan's instant, is the case's record (migration ledger-008). If the
    /// rating is not stored, the row is inserted open instead, as it would
    /// have been on its own.
    static func insert(_ stored: StoredEvaluation, ledger: CaseLedgerUpdate, opening: CaseOpeningWrite? = nil, at now: Double,
                       into context: inout WriteContext) throws -> EnqueueResult {
        guard let opening else { return try insertRating(stored, ledger: ledger, opening: nil, at: now, into: &context) }
        do {
            return try insertRating(stored, ledger: ledger, opening: opening, at: now, into: &context)
        } catch {
            // Rolled back whole (autocommit again): the opening hears the batch's error.
            if !context.connection.isAutocommit { opening.writeOpen(on: &context) }
            throw error
        }
    }

    private static func insertRating(_ stored: StoredEvaluation, ledger: CaseLedgerUpdate, opening: CaseOpeningWrite?, at now: Double,
                                     into context: inout WriteContext) throws -> EnqueueResult {
        guard !ledger.isEmpty else { return try insert(stored, at: now, into: &context) }
        let caseOpenedAt = opening?.stored.opening.openedAt.timeIntervalSince1970
        guard ledger.badReview == nil, let rated = ledger.rated else {
            return try context.atomically { context in
                let result = try insert(stored, at: now, caseOpenedAt: caseOpenedAt, into: &context)
                try ledger.write(on: context.connection, opening: opening)
                return result
            }
        }
        let saved = context.tally
        let result = try insert(stored, at: now, caseOpenedAt: caseOpenedAt, into: &context)
        do {
            try CaseLedgerUpdate.write(rated, opening: opening, on: context.connection)
        } catch {
            context.restore(saved)
            let db = context.connection
            if result == .enqueued, !db.isAutocommit {
                do {
                    try RollupStore.uncount(evaluationId: stored.id, on: db)
                    try db.prepare(static: "DELETE FROM evaluations WHERE evaluation_id = ?").run([stored.id])
                } catch {
                    try? db.prepare(static: "ROLLBACK").run()
                }
            }
            throw error
        }
        return result
    }

    static func insert(_ stored: StoredEvaluation, at now: Double, caseOpenedAt: Double? = nil, evaluatorOfflineAt: Double? = nil,
                       into context: inout WriteContext) throws -> EnqueueResult {
        let db = context.connection
        let bytes = stored.recordBytes
        do {
            try context.checkCapacity(adding: bytes, for: stored.id)
        } catch {
            // At the cap, a repeat of an evaluation already stored is still "stored once".
            if try db.scalar("SELECT 1 FROM evaluations WHERE evaluation_id = ?", [stored.id], as: Int.self) != nil {
                return .duplicate
            }
            throw error
        }
        // A plain INSERT, not ON CONFLICT DO NOTHING: the upsert clause costs on
        // every insert, the failed statement only on a (rare) repeat. SQLite undoes
        // just this statement; the batch's transaction goes on.
        do {
            try stored.insert(with: db.prepare(static: StoredEvaluation.insertSQL), at: now, caseOpenedAt: caseOpenedAt,
                                evaluatorOfflineAt: evaluatorOfflineAt)
        } catch let error as SQLiteError where error.extendedCode == SQLiteError.constraintUnique {
            return .duplicate
        }
        context.counters.records += 1
        context.counters.bytes += bytes
        context.batchBytes += bytes
        context.addedPending = true
        return .enqueued
    }
}
