import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Migration 0002 on a queue file written by the schema before it (the
/// fixture is `sqlite3 .dump` of a file f288e06's code wrote: every state,
/// real-name and anonymous, a recorded time, a re-dated record, a purged one).
@Suite struct TypedColumnsMigrationTests {
    static let fixtures = BuiltProducts.packageRoot.appendingPathComponent("Tests/EvalQueueTests/Fixtures")

    /// The old file, restored from its dump, optionally with extra SQL run on it.
    static func oldFile(_ fixture: QueueFixture, extra: String = "") throws {
        let dump = try String(contentsOf: fixtures.appendingPathComponent("queue-before-typed-columns.sql"), encoding: .utf8)
        let db = try Connection(path: fixture.path)
        try db.execute(dump)
        if !extra.isEmpty { try db.execute(extra) }
        #expect(try db.scalar("SELECT count(*) FROM schema_migrations WHERE name = '0002_typed_evaluation_columns'", as: Int.self) == 0)
    }

    @Test func everyRecordReadsBackAsTheOldCodeReadIt() async throws {
        let fixture = try QueueFixture()
        try Self.oldFile(fixture)
        let expected = try JSONDecoder().decode([Evaluation].self,
                                                from: Data(contentsOf: Self.fixtures.appendingPathComponent("queue-before-typed-columns.expected.json")))
        let queue = try fixture.open()
        defer { queue.close() }
        let records = try QueueReader(path: fixture.path).list(QueueListQuery(limit: 100, order: .oldestFirst))
        #expect(records.map(\.evaluation) == expected)
        // Opening recovered the one in flight (the old agent stopped mid-request) to pending.
        #expect(records.map(\.state) == [.pending, .pending, .pending, .delivered, .rejected, .pending, .pending])
        #expect(records[4].rejectedReason == "areaCode 999999 unknown")
        #expect(records[6].attempts == 1 && records[6].lastError == "HTTP 503")
        #expect(records[3].evaluation.evaluator == nil && records[3].personalDataPurgedAt != nil, "purged stays purged")
        #expect(records[1].evaluation.evaluator?.certKey.revealed == "533103199001011234")
        #expect(records[5].evaluation.recordedTime?.trusted == true, "the re-dated record keeps its new time")
        #expect(records.allSatisfy { $0.recordBytes > 0 })

        // The migrated file works on: the in-flight record is recovered and sent, bad review first.
        let claimed = try await queue.claim(limit: 10, now: fixture.now.addingTimeInterval(86_400 * 365 * 10))
        #expect(claimed.first?.evaluation.isBadReview == true)
        #expect(Set(claimed.map(\.evaluation.evaluationId)) == Set([0, 1, 2, 5, 6].map { expected[$0].evaluationId }))
    }

    /// A row the old code could not read either is kept as a dead letter
    /// saying so; the migration (and the agent) goes on.
    @Test func aMalformedOldRowBecomesADeadLetter() async throws {
        let fixture = try QueueFixture()
        try Self.oldFile(fixture, extra: """
            INSERT INTO evaluations (evaluation_id, state, rating, is_bad, evaluation_type, window_code, project_no, assessed_at,
                                     payload, payload_bytes, next_attempt_at, enqueued_at)
            VALUES ('01a23c40-ffff-7000-8000-000000000099', 'pending', 4, 0, 1, 'W09', NULL, 1796307300.0,
                    '{"evaluationId":"01a23c40-ffff-7000-8000-000000000099","satisf', 60, 0, 0);
            """)
        let queue = try fixture.open()
        defer { queue.close() }
        let record = try #require(try QueueReader(path: fixture.path).list(QueueListQuery(limit: 100)).first {
            $0.id.description == "01a23c40-ffff-7000-8000-000000000099"
        })
        #expect(record.state == .rejected)
        #expect(record.rejectedReason?.hasPrefix("evald: stored record unreadable, not converted by migration 0002") == true)
        #expect(record.evaluation.windowCode == "W09" && record.evaluation.satisfaction == .satisfied)
        #expect(try QueueReader(path: fixture.path).list(QueueListQuery(limit: 100)).count == 8)
    }
}
