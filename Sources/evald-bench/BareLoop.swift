import CSQLite
import EvalCore
import EvalQueue
import EvalTesting
import Foundation

/// The floor: one INSERT per committed transaction, on the queue's own schema
/// and pragmas, with no queue machinery (no writer thread, no continuation,
/// no encoding on the clock: the sample's fields are bound as they are). A lone enqueue cannot beat it, because
/// each durable commit costs one WAL fsync.
final class BareLoop {
    private let connection: Connection
    /// The sample evaluation's column values after the id and the time.
    private let fields: [any Bindable]

    static var sqliteVersion: String { String(cString: sqlite3_libversion()) }

    init(path: String) throws {
        connection = try Connection(path: path)
        _ = try connection.scalar("PRAGMA journal_mode = WAL", as: String.self)
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute("PRAGMA cache_size = -4096")  // as QueueFile
        try connection.migrate(Schema.all)
        let e = SampleEvaluation.make()
        fields = [e.areaCode, e.deptCode ?? "", e.deptName ?? "", e.hallCode ?? "", e.windowCode, e.deviceId,
                  #"[{"loginName":"zhangsan","name":"张三"}]"#, 200]
    }

    /// One INSERT in its own transaction; returns its latency in ms.
    func insertAndCommit() throws -> Double {
        let id = EvaluationID.make().description
        let now = Date().timeIntervalSince1970
        let start = ContinuousClock.now
        try connection.prepare("BEGIN IMMEDIATE").run()
        try connection.prepare(Self.insert).run([id, now] + fields + [now])
        try connection.prepare("COMMIT").run()
        return (ContinuousClock.now - start).milliseconds
    }

    /// `rows` INSERTs in one transaction with ids made beforehand: SQLite's own
    /// CPU per row when group commit batches perfectly, the floor of what the
    /// queue's writer thread can do. Returns CPU µs per row.
    func insertBatch(rows: Int) throws -> Double {
        let ids = (0..<rows).map { _ in EvaluationID.make().description }
        let now = Date().timeIntervalSince1970
        let start = ProcessCPU.seconds
        try connection.prepare("BEGIN IMMEDIATE").run()
        for id in ids {
            try connection.prepare(Self.insert).run([id, now] + fields + [now])
        }
        try connection.prepare("COMMIT").run()
        return (ProcessCPU.seconds - start) * 1e6 / Double(rows)
    }

    private static let insert = """
        INSERT INTO evaluations (evaluation_id, state, rating, is_bad, evaluation_type, assessed_ref, assess_number, pf,
                                 area_code, dept_code, dept_name, hall_code, window_code, device_id, evaluated_persons,
                                 record_bytes, next_attempt_at, enqueued_at)
        VALUES (?1, 'pending', 5, 0, 1, ?2, 1, 5, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
        """
}
