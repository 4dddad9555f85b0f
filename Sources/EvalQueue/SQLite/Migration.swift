/// A named, append-only schema step. Each runs in its own transaction and is
/// recorded in `schema_migrations`, so a crash mid-migration leaves either the
/// old schema or the new one, and an already-applied name is never run twice.
///
/// Never edit or reorder a shipped migration: add a new one.
public struct Migration: Sendable {
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }
}

extension Connection {
    /// Applies the migrations not yet recorded, in order.
    /// (`julianday` rather than `unixepoch('subsec')`: the latter needs SQLite 3.42,
    /// Debian 12 ships 3.40, where it yields NULL.)
    public func migrate(_ migrations: [Migration]) throws {
        try execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY NOT NULL,
                applied_at REAL NOT NULL
            ) STRICT
            """)
        let applied = Set(try prepare("SELECT name FROM schema_migrations").rows { $0.column(0, as: String.self) ?? "" })
        for migration in migrations where !applied.contains(migration.name) {
            try transaction {
                try execute(migration.sql)
                try prepare("INSERT INTO schema_migrations(name, applied_at) VALUES (?, (julianday('now') - 2440587.5) * 86400.0)").run([migration.name])
            }
        }
    }
}
