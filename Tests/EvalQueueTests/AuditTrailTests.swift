import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue #24, item 4: an operator action and its audit row commit together,
/// in the daemon's store and in evalctl's own connection alike, and nothing
/// an operator's name or a detail holds can break a row or a line.
@Suite("audit trail: an operator action and its row commit together")
struct AuditTrailTests {
    static let wangfang = AuditActor(uid: 1001, name: "wangfang", claimedName: "admin", via: .controlSocket)

    /// A trigger from a second connection makes every audit insert fail.
    static func breakAuditInserts(_ path: String) throws {
        try Connection(path: path).execute(
            "CREATE TRIGGER injected_audit_failure BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")
    }

    static func repairAuditInserts(_ path: String) throws {
        try Connection(path: path).execute("DROP TRIGGER injected_audit_failure")
    }

    /// A pending record and a dead letter.
    static func seed(_ queue: EvaluationQueue, _ fixture: QueueFixture) async throws -> (pending: Evaluation, rejected: Evaluation) {
        let rejected = SampleEvaluation.make(rating: .satisfied)
        let pending = SampleEvaluation.make(rating: .basicallySatisfied)
        try await queue.enqueue(rejected)
        _ = try await queue.claim(limit: 1, now: fixture.now)
        try await queue.settle([.rejected(rejected.evaluationId, reason: "bad deptCode")], now: fixture.now)
        try await queue.enqueue(pending)
        return (pending, rejected)
    }

    @Test func aRepairWritesItsRowWithTheOperatorTheCallerNamed() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let (pending, rejected) = try await Self.seed(queue, fixture)

        let retried = try await queue.retry(rejected.evaluationId, now: fixture.now, by: Self.wangfang)
        let dropped = try await queue.drop(pending.evaluationId, now: fixture.now, by: Self.wangfang)

        let rows = try queue.auditEntries()
        #expect(rows == [retried, dropped.audit])
        #expect(rows.map(\.verb) == ["retry", "drop"])
        #expect(rows.allSatisfy { $0.actor == Self.wangfang && $0.at == fixture.now })
        #expect(rows.map(\.evaluationId) == [rejected.evaluationId, pending.evaluationId])
        // The dropped record is in its row (identity removed): nothing vanishes untraced.
        #expect(dropped.audit.detail.hasPrefix("state=pending record={"))
        #expect(dropped.audit.detail.contains("\"satisfaction\":3"))
        #expect(try queue.record(pending.evaluationId) == nil)
    }

    @Test func aRepairWhoseAuditRowFailsDoesNotHappen() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let (pending, rejected) = try await Self.seed(queue, fixture)
        try Self.breakAuditInserts(fixture.path)

        // The daemon's writer: the repair is undone with its row.
        await #expect(throws: SQLiteError.self) { _ = try await queue.drop(pending.evaluationId, by: Self.wangfang) }
        await #expect(throws: SQLiteError.self) { try await queue.retry(rejected.evaluationId, now: fixture.now, by: Self.wangfang) }
        #expect(try queue.record(pending.evaluationId)?.state == .pending)
        #expect(try queue.record(rejected.evaluationId)?.state == .rejected)

        #expect(try queue.auditEntries().isEmpty)

        // The writer went on: the batch was not poisoned, and with the row possible the repair happens.
        try Self.repairAuditInserts(fixture.path)
        _ = try await queue.drop(pending.evaluationId, by: Self.wangfang)
        #expect(try queue.record(pending.evaluationId) == nil)
        #expect(try queue.auditEntries().map(\.verb) == ["drop"])
    }

    @Test func aFollowUpStepWhoseAuditRowFailsIsNotRecorded() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let review = LedgerFixtures.badReview(.veryDissatisfied, at: "2026-03-02 09:00:00")
        _ = try await queue.enqueue(review, ledger: CaseLedgerUpdate(review, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
        let verify = FollowUpStep(.verify(.valid, reason: "属实"), on: CivilDate("2026-03-02")!, by: "wangfang")
        try Self.breakAuditInserts(fixture.path)

        await #expect(throws: SQLiteError.self) {
            _ = try await queue.appendFollowUpStep(verify, to: review.evaluationId, recordedAt: fixture.now, by: Self.wangfang) { _ in "verify" }
        }
        let ledger = try LedgerFile(path: fixture.path)
        #expect(throws: SQLiteError.self) {
            _ = try ledger.appendFollowUpStep(verify, to: review.evaluationId, recordedAt: fixture.now, by: Self.wangfang) { _ in "verify" }
        }
        #expect(try await queue.followUps().first?.records.isEmpty == true)

        try Self.repairAuditInserts(fixture.path)
        let (appended, entry) = try await queue.appendFollowUpStep(verify, to: review.evaluationId, recordedAt: fixture.now,
                                                                    by: Self.wangfang) { "stage=\($0.history.followUp.stage.rawValue)" }
        #expect(appended.history.records.count == 1)
        #expect(entry.verb == "bad-review-verify" && entry.detail == "stage=verified")
        #expect(try queue.auditEntries(of: review.evaluationId) == [entry])
    }

    @Test func aRefusedRepairWritesNoRow() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let (pending, _) = try await Self.seed(queue, fixture)
        await #expect(throws: QueueError.wrongState) { try await queue.retry(pending.evaluationId, now: fixture.now, by: Self.wangfang) }
        await #expect(throws: QueueError.notFound) { _ = try await queue.drop(EvaluationID.make(), by: Self.wangfang) }
        #expect(try queue.auditEntries().isEmpty)
    }

    @Test func aForgedNameOrDetailCannotMakeASecondLine() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        let forged = "mallory\n2026-12-01T00:00:00Z verb=drop evaluationId=- uid=0 operator=root via=evalctl ok"
        let actor = AuditActor(uid: 1002, name: forged, claimedName: forged + "\r\u{2028}\u{202E}", via: .controlSocket)
        let entry = AuditEntry(at: fixture.now, actor: actor, verb: "reveal\nverb=drop", evaluationId: nil, detail: "shown\n" + forged)
        try await queue.recordAudit(entry)

        let line = entry.line
        #expect(line.filter { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" }.count == 1 && line.hasSuffix("\n"))
        // Names are one field each (white space escaped too): the fields a reader takes are the true ones.
        let fields = line.dropLast().split(separator: " ").map(String.init)
        #expect(fields[1] == "verb=reveal\\u{A}verb=drop" && fields[2] == "evaluationId=-" && fields[3] == "uid=1002", "\(line)")
        #expect(fields[4].hasPrefix("operator=mallory\\u{A}") && fields[5].hasPrefix("claimed=mallory") && fields[6] == "via=control-socket")
        let stored = try #require(try queue.auditEntries().first)
        #expect(stored == entry)
        for text in [stored.actor.name, stored.actor.claimedName ?? "", stored.verb, stored.detail] {
            #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\u{2028}") && !text.contains("\u{202E}"))
        }
        #expect(stored.actor.name.hasPrefix("mallory\\u{A}2026-12-01T00:00:00Z\\u{20}verb=drop"))
    }

    @Test func escapingIsUnambiguous() {
        #expect(AuditText.escape("a\nb") == "a\\u{A}b")
        #expect(AuditText.escape("a\\u{A}b") == "a\\\\u{A}b", "a typed escape is not a real one")
        #expect(AuditText.escape("王 小明\t") == "王 小明\\u{9}")
        #expect(AuditText.escape("王 小明", spaces: true) == "王\\u{20}小明")
        #expect(AuditText.escape("\u{202E}\u{85}\u{7F}") == "\\u{202E}\\u{85}\\u{7F}")
    }

    @Test func theTableRefusesLineBreaksEditsAndDeletes() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        try await queue.recordAudit(AuditEntry(at: fixture.now, actor: Self.wangfang, verb: "reveal", evaluationId: nil, detail: "shown"))
        let db = try Connection(path: fixture.path)
        // Even a writer that forgot to escape cannot store a line break.
        #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO audit (at, operator_uid, operator_name, via, verb, detail) VALUES (0, 0, 'x' || char(10) || 'y', 'evalctl', 'v', 'd')")
        }
        #expect(throws: SQLiteError.self) { try db.execute("UPDATE audit SET detail = 'nothing'") }
        #expect(throws: SQLiteError.self) { try db.execute("DELETE FROM audit") }
        #expect(try queue.auditEntries().map(\.detail) == ["shown"])
    }
}
