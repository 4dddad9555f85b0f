import CSQLite
import Logging

/// Records not yet delivered (pending + in flight): what the caps limit.
/// The writer keeps them in memory, loaded once at open and changed only by
/// committed transactions, so checking the cap costs no query.
struct PendingCounters: Sendable, Equatable {
    var records: Int
    var bytes: Int
}

/// What one write operation sees while the writer runs it inside the batch's
/// transaction. Only the writer thread ever holds one.
struct WriteContext {
    let connection: Connection
    let configuration: QueueConfiguration
    let logger: Logger
    /// The writer's: critical lines at most once per cause a minute.
    let loud: LoudLines
    var counters: PendingCounters
    /// Set when a record became pending, so the forwarder is woken after commit.
    var addedPending = false
    /// Bytes this batch adds, subtracted from the free space measured once per batch.
    var batchBytes = 0
    /// Set by an erasure: after COMMIT (never inside the transaction) the
    /// writer checkpoints and truncates the WAL, so erased bytes leave it.
    var checkpointAfterCommit = false
    private var freeBytes: Int64??

    init(connection: Connection, configuration: QueueConfiguration, logger: Logger, loud: LoudLines, counters: PendingCounters) {
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
        self.loud = loud
        self.counters = counters
    }

    /// Throws `QueueError.full` (and logs loudly) when storing `bytes` more would
    /// pass a configured cap. Never makes room by dropping older records: each
    /// stored evaluation was acknowledged to a citizen, so it is a promise.
    mutating func checkCapacity(adding bytes: Int, for id: String) throws {
        let limits = configuration
        var reason: String?
        var cause = ""
        if counters.records + 1 > limits.maxPendingRecords {
            reason = "\(counters.records) undelivered records reach the cap of \(limits.maxPendingRecords)"
            cause = "records cap"
        } else if counters.bytes + bytes > limits.maxPendingBytes {
            reason = "\(counters.bytes) undelivered bytes + \(bytes) would pass the cap of \(limits.maxPendingBytes)"
            cause = "bytes cap"
        } else {
            reason = freeSpaceShortfall(adding: bytes)
            cause = "free space"
        }
        if let reason {
            let message = "queue full: \(reason); evaluation \(id) NOT stored (nothing older was dropped)"
            if let suppressed = loud.admit(cause) {
                logger.critical("\(LoudLines.line(message, suppressed: suppressed))", metadata: ["path": "\(connection.path)"])
            }
            throw QueueError.full(message)
        }
    }

    /// The free-space floor alone, for the store's other growing writes (a
    /// filtered press, a case opening): a chattering keypad must not fill the
    /// disk the ratings need. Quiet: the caller's observer reports the failure.
    mutating func checkFreeSpace(adding bytes: Int, for what: String) throws {
        if let reason = freeSpaceShortfall(adding: bytes) {
            throw QueueError.full("queue full: \(reason); \(what) NOT stored")
        }
    }

    /// Why `bytes` more would go below `minFreeBytes`, measured once per batch.
    private mutating func freeSpaceShortfall(adding bytes: Int) -> String? {
        if freeBytes == nil { freeBytes = .some(DiskSpace.availableBytes(at: directory)) }
        guard case .some(.some(let free)) = freeBytes, free - Int64(batchBytes + bytes) < configuration.minFreeBytes else { return nil }
        return "\(free) bytes free on the queue's disk, below the minimum of \(configuration.minFreeBytes)"
    }

    private var directory: String {
        let path = connection.path
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// What an operation changes in the context besides the database: taken
    /// before it runs, put back when it fails, so a failed operation leaves
    /// the batch's counts as if it had not run.
    struct Tally {
        fileprivate let counters: PendingCounters
        fileprivate let addedPending: Bool
        fileprivate let batchBytes: Int
    }

    var tally: Tally { Tally(counters: counters, addedPending: addedPending, batchBytes: batchBytes) }

    mutating func restore(_ tally: Tally) {
        (counters, addedPending, batchBytes) = (tally.counters, tally.addedPending, tally.batchBytes)
    }

    /// Runs `body` in a savepoint: if it throws, its changes are undone and the
    /// rest of the batch is unaffected.
    mutating func atomically<T>(_ body: (inout WriteContext) throws -> T) throws -> T {
        try connection.prepare("SAVEPOINT op").run()
        let saved = tally
        do {
            let result = try body(&self)
            try connection.prepare("RELEASE op").run()
            return result
        } catch {
            restore(saved)
            if !connection.isAutocommit {
                try? connection.prepare("ROLLBACK TO op").run()
                try? connection.prepare("RELEASE op").run()
            }
            throw error
        }
    }
}
