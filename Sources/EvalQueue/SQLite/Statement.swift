import CSQLite
import Foundation

// SQLITE_TRANSIENT tells SQLite to copy bound text and blobs before returning.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Obtain through `Connection.prepare`, which caches it.
public final class Statement {
    let handle: OpaquePointer
    unowned let connection: Connection
    public let sql: String

    init(connection: Connection, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw connection.error(rc, sql: sql) }
        handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [any Bindable]) throws {
        for (index, value) in values.enumerated() {
            let rc = value.bind(to: handle, at: Int32(index + 1))
            guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
        }
    }

    /// Advances one row: true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds, runs to completion, and resets.
    public func run(_ values: [any Bindable] = []) throws {
        try bind(values)
        defer { reset() }
        while try step() {}
    }

    /// Binds, reads every row with `row`, and resets.
    public func rows<T>(_ values: [any Bindable] = [], _ row: (Statement) throws -> T) throws -> [T] {
        try bind(values)
        defer { reset() }
        var result: [T] = []
        while try step() { result.append(try row(self)) }
        return result
    }

    public func column<T: ColumnValue>(_ index: Int32, as type: T.Type = T.self) -> T? {
        T.read(self, column: index)
    }

    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }
}

// Typed binds for hot statements (the queue's INSERT): no existential array.
extension Statement {
    @inline(__always)
    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
    }

    func bindInt(_ index: Int32, _ value: Int) throws { try check(sqlite3_bind_int64(handle, index, Int64(value))) }
    func bindDouble(_ index: Int32, _ value: Double) throws { try check(sqlite3_bind_double(handle, index, value)) }

    func bindOptionalInt(_ index: Int32, _ value: Int?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try bindInt(index, value)
    }

    func bindOptionalDouble(_ index: Int32, _ value: Double?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try bindDouble(index, value)
    }

    /// Text copied by SQLite (`SQLITE_TRANSIENT`); NULL for nil.
    func bindText(_ index: Int32, _ value: String?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_text(handle, index, value, -1, SQLITE_TRANSIENT))
    }

    /// UTF-8 text SQLite does NOT copy (`SQLITE_STATIC`): `bytes` must stay
    /// valid until the statement is reset or rebound. Only for a bind, step
    /// and reset inside the buffer's `withUnsafeBufferPointer`.
    func bindPinnedText(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        let pointer = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, pointer, Int32(bytes.count), nil))
    }
}

/// A value that can be bound to a `?` parameter.
public protocol Bindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

/// A value that can be read from a result column.
public protocol ColumnValue {
    static func read(_ statement: Statement, column: Int32) -> Self?
}

extension Int: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
    public static func read(_ statement: Statement, column: Int32) -> Int? {
        statement.isNull(column) ? nil : Int(sqlite3_column_int64(statement.handle, column))
    }
}

extension Int64: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
    public static func read(_ statement: Statement, column: Int32) -> Int64? {
        statement.isNull(column) ? nil : sqlite3_column_int64(statement.handle, column)
    }
}

extension Double: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_double(statement, index, self) }
    public static func read(_ statement: Statement, column: Int32) -> Double? {
        statement.isNull(column) ? nil : sqlite3_column_double(statement.handle, column)
    }
}

extension String: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_text(statement, index, self, -1, SQLITE_TRANSIENT)
    }
    public static func read(_ statement: Statement, column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement.handle, column) else { return nil }
        return String(cString: text)
    }
}

extension Data: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { buffer in
            sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), SQLITE_TRANSIENT)
        }
    }
    public static func read(_ statement: Statement, column: Int32) -> Data? {
        guard !statement.isNull(column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement.handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement.handle, column) else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}

extension Bool: Bindable, ColumnValue {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int(statement, index, self ? 1 : 0) }
    public static func read(_ statement: Statement, column: Int32) -> Bool? {
        statement.isNull(column) ? nil : sqlite3_column_int(statement.handle, column) != 0
    }
}

/// SQL NULL, for optional bindings.
public struct SQLNull: Bindable {
    public init() {}
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_null(statement, index) }
}

extension Optional: Bindable where Wrapped: Bindable {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .some(let value): value.bind(to: statement, at: index)
        case .none: sqlite3_bind_null(statement, index)
        }
    }
}
