import EvalCore
import Foundation

/// The counter sessions' persistent memory, in the queue's database file
/// (a read-only view for evalctl; the daemon writes through the store's one writer):
///
/// - `ledger_cases`: every scanned case with its default-rating due instant
///   and whether it was rated or default-rated, so "a case rated once cannot
///   be rated again" and the 5-working-day default survive restarts. A case
///   opened and rated in one batch gets its row when its evaluation leaves
///   the queue; until then that evaluation is its record (ledger-008);
/// - `filtered_presses`: presses kept for audit, never forwarded (rule 2);
/// - `bad_reviews`: the 台账 of bad reviews with their rectification deadline.
///
/// Every value from a scan is bound as a parameter, never spliced into SQL.
/// Thread-safe: one lock around the connection; every call is short.
public final class CaseLedger: @unchecked Sendable {
    let connection: Connection
    private let lock = NSLock()

    public init(path: String, mode: Connection.Mode = .readWrite) throws {
        connection = try Connection(path: path, mode: mode)
        if mode == .readWrite {
            try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
            try connection.migrate(Schema.all)
        }
    }

    /// Runs `body` with exclusive use of the connection.
    func locked<T>(_ body: (Connection) throws -> T) throws -> T {
        try lock.withLock { try body(connection) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, json: String) throws -> T {
        try decoder().decode(type, from: Data(json.utf8))
    }
}
