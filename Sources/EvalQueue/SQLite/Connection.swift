import CSQLite
import Foundation

/// A thin wrapper over one `sqlite3*` handle.
///
/// Why not GRDB: the queue needs exact control of transactions (group commit
/// makes one transaction from many callers' rows), of the pragmas, and of the
/// open flags (the CLI's read-only connection), and it uses a dozen statements.
/// A hundred lines over the C API give that with no extra dependency to build.
///
/// Not thread-safe by itself: each connection is owned by one actor or one thread.
public final class Connection {
    public enum Mode: Sendable {
        case readWrite
        /// For a second process such as evalctl: never takes a write lock,
        /// so it cannot corrupt or block the daemon's queue.
        case readOnly
    }

    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]
    private var staticStatementCache: [UInt: Statement] = [:]

    /// Process-wide settings that must precede SQLite's first use: evaluated
    /// once, by the first connection opened.
    private static let configured: Void = { _ = evald_sqlite3_disable_memstatus() }()

    public init(path: String, mode: Mode = .readWrite, busyTimeoutMillis: Int32 = 5_000) throws {
        Self.configured
        var db: OpaquePointer?
        let flags: Int32 = switch mode {
        case .readWrite: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            let extended = db.map { sqlite3_extended_errcode($0) } ?? rc
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc & 0xFF, extendedCode: extended, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMillis)
        if mode == .readWrite {
            // Rule 6: erased personal data is zeroed in the file, not left in
            // free space for anyone with the file to read (docs/queue.md).
            try execute("PRAGMA secure_delete = ON")
        }
    }

    private var isClosed = false

    /// Closes the handle now; nothing may use the connection afterwards (a
    /// later deinit does nothing). For an owner whose close must have happened
    /// when it returns: SQLite's last connection to a file checkpoints and
    /// deletes the WAL *by name* as it closes, so a write connection closed
    /// late, after its file was moved or replaced, deletes whatever WAL is
    /// at that name by then (see `GroupCommitWriter.stop`).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()
        staticStatementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    deinit { close() }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw error(rc, message: message, sql: sql)
        }
    }

    /// A prepared statement, cached by its SQL text and reset before reuse.
    public func prepare(_ sql: String) throws -> Statement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(connection: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// `prepare` for SQL known at compile time, cached by the literal's address:
    /// no hashing of the SQL text on every call (the queue's per-row INSERT).
    public func prepare(static sql: StaticString) throws -> Statement {
        let key = UInt(bitPattern: sql.utf8Start)
        if let cached = staticStatementCache[key] {
            cached.reset()
            return cached
        }
        let statement = try Statement(connection: self, sql: sql.description)
        staticStatementCache[key] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back on error.
    /// With `synchronous=FULL` in WAL mode, COMMIT returns after the WAL fsync.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row, if any.
    public func scalar<T: ColumnValue>(_ sql: String, _ bindings: [any Bindable] = [], as type: T.Type = T.self) throws -> T? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return T.read(statement, column: 0)
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(_ rc: Int32, message: String? = nil, sql: String?) -> SQLiteError {
        SQLiteError(
            code: rc & 0xFF,
            extendedCode: sqlite3_extended_errcode(handle),
            message: message ?? String(cString: sqlite3_errmsg(handle)),
            sql: sql
        )
    }
}

extension Connection {
    /// True outside a transaction. After an error inside one, true means SQLite
    /// rolled the whole transaction back on its own (disk full, I/O error).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }
}
