import EvalCore
import Foundation
import Logging

/// One unit of work for the writer: runs inside the batch's transaction, and
/// is told after COMMIT (or its failure) so it can resume its caller.
protocol WriteOperation: AnyObject {
    /// Runs the SQL. Returns the error if this operation failed on its own.
    func stage(_ context: inout WriteContext) -> (any Error)?
    /// Resumes the caller: with the staged result if the batch committed,
    /// else with `batchError`.
    func finish(batchError: (any Error)?)
}

/// The single owner of the write connection: a dedicated thread that takes
/// every operation waiting at that moment, runs them all in ONE transaction,
/// commits (one WAL fsync with `synchronous=FULL`), then resumes every caller.
///
/// Group commit without a timer: an operation arriving on an idle writer is
/// committed at once; operations arriving while a commit's fsync is under way
/// wait for it and share the next one. So a lone enqueue pays one fsync, and
/// many concurrent producers pay one fsync per batch instead of one each.
/// A thread and a condition variable, not an actor: an enqueue costs one lock,
/// one signal and one continuation, far less than the fsync it waits for.
///
/// Unchecked because its state is split by owner, which the compiler cannot
/// see: the queue fields under `condition`, the connection and counters on
/// the writer thread alone.
final class GroupCommitWriter: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var waiting: [any WriteOperation] = []
    /// The case openings in `waiting`, by project number (`submit(opening:)`).
    private var waitingOpenings: [String: CaseOpeningWrite] = [:]
    /// Whether `waiting` holds an operation whose caller waits for it.
    private var eagerWaiting = false
    /// When the oldest unawaited (`submit`ted) operation must be committed even
    /// if no awaited one comes to share its transaction.
    private var lazyDeadline: ContinuousClock.Instant?
    private var stopping = false
    private var stopped = false
    private var statistics = WriterStatistics()
    /// A committed batch, finished, that the next producer frees (`enqueue`).
    /// Handed over only when the writer has more work waiting: freeing a
    /// burst's operations is about a sixth of the writer's time per case
    /// evaluation (`evald-bench daemon-path`, perf), and most of it is
    /// glibc returning chunks to the arena of the thread that allocated them
    /// (the producer's), under that arena's lock. An idle writer frees it.
    private var retired: [any WriteOperation] = []

    // Owned by the writer thread (and by `init` before the thread starts):
    private let connection: Connection
    private let configuration: QueueConfiguration
    private let logger: Logger
    private var counters: PendingCounters
    private let onPendingAdded: @Sendable () -> Void
    private let loud = LoudLines()
    private let reserve: DiskReserve

    private let exited = DispatchSemaphore(value: 0)

    init(
        connection: Connection,
        configuration: QueueConfiguration,
        counters: PendingCounters,
        logger: Logger,
        onPendingAdded: @escaping @Sendable () -> Void
    ) {
        self.connection = connection
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        self.onPendingAdded = onPendingAdded
        reserve = DiskReserve(queuePath: configuration.path, bytes: configuration.diskReserveBytes)
        let thread = Thread { [self] in run() }
        thread.name = "evald-queue-writer"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Runs `body` in the next group transaction and returns its result once
    /// that transaction is durably committed.
    func perform<T: Sendable>(_ body: @escaping @Sendable (inout WriteContext) throws -> T) async throws -> T {
        // Unsafe, not checked: the checked one allocates a canary object per call,
        // and every operation is resumed exactly once (`finish`, or just below).
        try await withUnsafeThrowingContinuation { continuation in
            let operation = TypedWriteOperation(body: body, continuation: continuation)
            guard enqueue(operation, eager: true) else { return continuation.resume(throwing: QueueError.closed) }
        }
    }

    /// Queues `body` for the next group transaction without waiting for it:
    /// `completion` runs on the writer thread after COMMIT (or its failure).
    /// Order is kept: an operation submitted before a later `perform` runs in
    /// the same transaction or an earlier one. It does not start a transaction
    /// of its own at once: it rides with the next awaited operation (a case
    /// scan's row commits with the rating that follows it: one fsync), or is
    /// committed alone after `lazyCommitDelay`.
    ///
    /// `eager`: commit as soon as the writer is free, as an awaited operation
    /// is — for an evaluation whose caller goes on to its next input and hears
    /// of durability in `completion` (the daemon's pipeline). Evaluations
    /// arriving during one commit's fsync then share the next one.
    func submit<T: Sendable>(_ body: @escaping @Sendable (inout WriteContext) throws -> T, eager: Bool = false,
                             completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let operation = CallbackWriteOperation(body: body, completion: completion)
        guard enqueue(operation, eager: eager) else { return completion(.failure(QueueError.closed)) }
    }

    /// A case's opening, unawaited (as `submit` without `eager`). Until the
    /// writer takes the batch it waits in, a rating of the same case
    /// (`submit(rating:)`) takes it over: the two are then staged in one
    /// transaction by construction, and the case row is written once.
    func submit(opening: CaseOpeningWrite) {
        condition.lock()
        let projectNo = opening.stored.opening.ticket.projectNo
        let accepted = enqueueLocked(opening, eager: false)
        // A second scan of the case in the same batch is a plain insert (its
        // conflict keeps the first opening): only the first can be taken over.
        if accepted, waitingOpenings[projectNo] == nil { waitingOpenings[projectNo] = opening }
        unlockFreeingRetired()
        if !accepted { opening.finish(batchError: QueueError.closed) }
    }

    /// A case's rating, committed as soon as the writer is free (`eager`).
    /// If its case's opening still waits for the same batch, the rating
    /// absorbs it (see `CaseRatingWrite`).
    func submit(rating: CaseRatingWrite) {
        condition.lock()
        if let opening = waitingOpenings.removeValue(forKey: rating.projectNo) {
            opening.absorbed = true
            rating.opening = opening
        }
        let accepted = enqueueLocked(rating, eager: true)
        unlockFreeingRetired()
        if !accepted { rating.finish(batchError: QueueError.closed) }
    }

    /// Appends `operation` for the next batch; false once the writer stops.
    private func enqueue(_ operation: any WriteOperation, eager: Bool) -> Bool {
        condition.lock()
        let accepted = enqueueLocked(operation, eager: eager)
        unlockFreeingRetired()
        return accepted
    }

    /// Unlocks `condition`, then frees the retired batch it took under the
    /// lock, if any: freed outside the lock, so nobody waits for it.
    private func unlockFreeingRetired() {
        var released: [any WriteOperation] = []
        swap(&released, &retired)
        condition.unlock()
        released.removeAll()
    }

    private func enqueueLocked(_ operation: any WriteOperation, eager: Bool) -> Bool {
        guard !stopped, !stopping else { return false }
        waiting.append(operation)
        if eager {
            eagerWaiting = true
            condition.signal()
        } else if lazyDeadline == nil {
            lazyDeadline = ContinuousClock.now + Self.lazyCommitDelay
            condition.signal()  // the writer re-arms its wait with the deadline
        }
        return true
    }

    /// How long an unawaited operation may wait for company: it bounds what a
    /// power cut can take of them (a scan's case row, a filtered press — never
    /// an acknowledged evaluation, which is always awaited).
    static let lazyCommitDelay: Duration = .milliseconds(50)

    /// Transactions and operations so far: operations / transactions is the
    /// average group size.
    var currentStatistics: WriterStatistics { condition.withLock { statistics } }

    /// Commits what is waiting, checkpoints, closes the write connection,
    /// then returns. Operations submitted afterwards fail with `QueueError.closed`.
    func stop() {
        condition.lock()
        let alreadyStopping = stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if !alreadyStopping { exited.wait() }
    }

    private func run() {
        var batch: [any WriteOperation] = []
        while true {
            condition.lock()
            while !stopping && !eagerWaiting {
                if !retired.isEmpty {
                    // No producer came for it: free it before sleeping.
                    unlockFreeingRetired()
                    condition.lock()
                    continue
                }
                guard let deadline = lazyDeadline else {
                    condition.wait()
                    continue
                }
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { break }
                _ = condition.wait(until: Date().addingTimeInterval(left.seconds))
            }
            eagerWaiting = false
            lazyDeadline = nil
            if waiting.isEmpty {
                stopped = true
                unlockFreeingRetired()
                checkpoint()
                break
            }
            swap(&batch, &waiting)
            waitingOpenings.removeAll(keepingCapacity: true)
            statistics.transactions += 1
            statistics.operations += batch.count
            statistics.largestBatch = max(statistics.largestBatch, batch.count)
            condition.unlock()
            commit(batch)
            condition.lock()
            if retired.isEmpty && !waiting.isEmpty { swap(&retired, &batch) }
            condition.unlock()
            batch.removeAll(keepingCapacity: true)
        }
        // Closed here, before `stop` returns, not whenever the last reference
        // to this writer goes (this thread's closure, released some time after
        // the signal): a connection closed late deletes, by name, the WAL of
        // whatever file is at the path by then (a store reopened there after
        // its files were moved aside or replaced), with every commit in it.
        // The power-cut tests caught it under load (issue 27's closing note).
        connection.close()
        exited.signal()
    }

    private func commit(_ batch: [any WriteOperation]) {
        var context = WriteContext(connection: connection, configuration: configuration, logger: logger, loud: loud, counters: counters)
        var batchError: (any Error)?
        do {
            try connection.prepare(static: "BEGIN IMMEDIATE").run()
        } catch {
            batchError = translate(error, operations: batch.count)
        }
        if batchError == nil {
            for operation in batch {
                let before = context.tally
                if let operationError = operation.stage(&context) {
                    context.restore(before)
                    if connection.isAutocommit {
                        // SQLite rolled the whole transaction back (disk full, I/O):
                        // every operation staged so far is undone.
                        batchError = translate(operationError, operations: batch.count)
                        break
                    }
                }
            }
        }
        if batchError == nil {
            do {
                try connection.prepare(static: "COMMIT").run()
            } catch {
                batchError = translate(error, operations: batch.count)
            }
        }
        if batchError != nil, !connection.isAutocommit {
            try? connection.prepare("ROLLBACK").run()
        }
        if batchError == nil {
            counters = context.counters
            if context.checkpointAfterCommit { checkpoint() }
        }
        // Signal before resuming callers: once `enqueue` returns, the signal is there.
        if batchError == nil, context.addedPending { onPendingAdded() }
        for operation in batch { operation.finish(batchError: batchError) }
    }

    /// Folds the WAL into the database and truncates it: on a clean stop, so
    /// a stopped agent leaves one file (and no 4 MB WAL) behind; after an
    /// erasure, so erased personal data is not left in old WAL frames. A
    /// failure (a reader holding an old snapshot) only leaves the frames to
    /// the next checkpoint, so it is logged, not thrown.
    private func checkpoint() {
        do {
            let busy = try connection.prepare("PRAGMA wal_checkpoint(TRUNCATE)").rows { $0.column(0, as: Int.self) ?? 0 }
            if busy.first != 0 { logger.warning("WAL checkpoint could not finish (a reader is open); the next one will") }
        } catch {
            logger.warning("WAL checkpoint failed (the next start replays it): \(error)")
        }
    }

    /// A failed COMMIT (or BEGIN) becomes an error the caller can act on; disk
    /// full gets its own kind and a loud line, because it needs an operator.
    /// Disk-full lines at most once a minute (`LoudLines`).
    private func translate(_ error: any Error, operations: Int) -> any Error {
        if let queueError = error as? QueueError, queueError.isDiskFull {
            if let suppressed = loud.admit("disk full") {
                logger.critical("\(LoudLines.line("\(queueError.message); a transaction of \(operations) queue operation(s) was rolled back", suppressed: suppressed))")
            }
            return queueError
        }
        if let sqlite = error as? SQLiteError, sqlite.isDiskFull {
            let message = "disk full: a transaction of \(operations) queue operation(s) was rolled back, nothing of it stored; free space on the queue's disk (\(sqlite.message))"
            if let suppressed = loud.admit("disk full") { logger.critical("\(LoudLines.line(message, suppressed: suppressed))") }
            if reserve.release() {
                logger.critical("the queue's disk is full: released its \(reserve.bytes) byte reserve (\(reserve.path)) so the platform's answers can still be recorded; it is taken again when the disk has room")
            }
            return QueueError.diskFull(message)
        }
        logger.error("queue transaction of \(operations) operation(s) failed: \(error)")
        return error
    }
}

private final class CallbackWriteOperation<T: Sendable>: WriteOperation {
    private let body: @Sendable (inout WriteContext) throws -> T
    private let completion: @Sendable (Result<T, any Error>) -> Void
    private var result: Result<T, any Error>?

    init(body: @escaping @Sendable (inout WriteContext) throws -> T, completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        self.body = body
        self.completion = completion
    }

    func stage(_ context: inout WriteContext) -> (any Error)? {
        result = WriteOutcome.stage(body, &context)
        if case .failure(let error) = result { return error }
        return nil
    }

    func finish(batchError: (any Error)?) {
        completion(WriteOutcome.finish(result, batchError: batchError))
    }
}

/// What staging an operation gave, and what its caller is told after COMMIT:
/// shared by every kind of operation.
enum WriteOutcome {
    static func stage<T>(_ body: (inout WriteContext) throws -> T, _ context: inout WriteContext) -> Result<T, any Error> {
        do {
            return .success(try body(&context))
        } catch let error as SQLiteError where error.isDiskFull {
            return .failure(QueueError.diskFull("disk full while writing to the queue: \(error.message)"))
        } catch {
            return .failure(error)
        }
    }

    static func finish<T>(_ result: Result<T, any Error>?, batchError: (any Error)?) -> Result<T, any Error> {
        switch result {
        case .failure(let error): .failure(error)
        case .success(let value): batchError.map { .failure($0) } ?? .success(value)
        case nil: .failure(batchError ?? QueueError.closed)
        }
    }
}

private final class TypedWriteOperation<T: Sendable>: WriteOperation {
    private let body: @Sendable (inout WriteContext) throws -> T
    private let continuation: UnsafeContinuation<T, any Error>
    private var result: Result<T, any Error>?

    init(body: @escaping @Sendable (inout WriteContext) throws -> T, continuation: UnsafeContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func stage(_ context: inout WriteContext) -> (any Error)? {
        result = WriteOutcome.stage(body, &context)
        if case .failure(let error) = result { return error }
        return nil
    }

    func finish(batchError: (any Error)?) {
        continuation.resume(with: WriteOutcome.finish(result, batchError: batchError))
    }
}


/// How well group commit is grouping: for the benchmark and tests.
public struct WriterStatistics: Sendable, Hashable {
    /// Write transactions begun (each one fsync when it commits).
    public var transactions = 0
    /// Operations (enqueues, claims, settles, …) run in them.
    public var operations = 0
    public var largestBatch = 0
}
