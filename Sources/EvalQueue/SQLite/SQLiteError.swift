/// An error from the system SQLite, with its primary and extended result codes
/// so callers can tell "database is corrupt" and "disk is full" from the rest.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (in: \(sql.prefix(120)))" }
        return text
    }

    // Primary result codes that callers branch on (sqlite3.h).
    public static let busy: Int32 = 5
    public static let full: Int32 = 13
    public static let corrupt: Int32 = 11
    public static let notADatabase: Int32 = 26
    public static let cantOpen: Int32 = 14
    public static let constraint: Int32 = 19
    public static let ioError: Int32 = 10
    /// Extended code: a UNIQUE constraint failed (SQLITE_CONSTRAINT_UNIQUE).
    public static let constraintUnique: Int32 = 2067
    /// Extended code: a PRIMARY KEY failed (SQLITE_CONSTRAINT_PRIMARYKEY), as a
    /// WITHOUT ROWID table's key does.
    public static let constraintPrimaryKey: Int32 = 1555

    public var isCorruption: Bool { code == Self.corrupt || code == Self.notADatabase }
    public var isDiskFull: Bool { code == Self.full }
}
