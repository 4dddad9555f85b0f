@testable import EvalCore
@testable import EvalQueue
import Foundation

/// A second read-write connection to a store file, for tests only: it builds
/// files as an older agent left them (case rows, bad reviews, follow-up steps
/// written directly) and reads tables raw. Production opens the file one way,
/// through `EvaluationQueue` and `QueueReader`.
final class LedgerFile: @unchecked Sendable {
    let connection: Connection
    let path: String
    private let lock = NSLock()

    init(path: String, mode: Connection.Mode = .readWrite) throws {
        self.path = path
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

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, json: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(json.utf8))
    }
    /// What the ledger knows about a case: passed to `CounterSession.receive`.
    ///
    /// A case the ledger still has open (or never saw) is `rated` when the
    /// queue in the same file holds a citizen's evaluation of it: the queue's
    /// row is the one durable record of a rating.
    func state(of projectNo: String) throws -> CaseLedgerState {
        try locked { db in try LedgerSQL.caseState(of: projectNo, on: db) }
    }

    /// Records a newly scanned case with its due instant. A case already in the
    /// ledger keeps its first opening (and due date).
    @discardableResult
    func open(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) throws -> Bool {
        let stored = StoredCaseOpening(opening, due: due)
        return try locked { db in try stored.insert(on: db) }
    }

    /// Marks the case of a citizen's evaluation rated, as an agent did before
    /// the evaluation and its ledger rows shared one transaction. False when
    /// the case was not open.
    @discardableResult
    func recordRating(_ evaluation: Evaluation) throws -> Bool {
        guard let rated = CaseLedgerUpdate.rated(evaluation) else { return false }
        return try locked { db in try CaseLedgerUpdate.write(rated, on: db) }
    }

    /// Open cases whose default is due at `now`, earliest first.
    func dueCases(at now: Date, limit: Int = 100) throws -> [DueCase] {
        try locked { db in try LedgerSQL.dueCases(at: now, limit: limit, on: db) }
    }

    /// When the next default falls due.
    func nextDefaultDue() throws -> Date? {
        try locked { db in try LedgerSQL.nextDefaultDue(on: db) }
    }

    /// The first step of an older agent's two-step default: open → defaulted,
    /// keeping the evaluation until the queue has it. The store's default pass
    /// finishes such rows (`EvaluationQueue.applyDueDefaults`).
    @discardableResult
    func settleDefault(_ evaluation: Evaluation, at now: Date) throws -> Bool {
        guard let projectNo = evaluation.projectNo else { return false }
        let json = try Self.json(evaluation.withoutPersonalData)
        return try locked { db in try LedgerSQL.settleDefault(evaluation, projectNo: projectNo, at: now, keeping: json, on: db) }
    }

    /// Default evaluations settled but not confirmed in the queue.
    func unconfirmedDefaults() throws -> [Evaluation] {
        try locked { db in try LedgerSQL.unconfirmedDefaults(on: db) }
    }
    /// Adds a bad review to the ledger with its rectification deadline. The
    /// evaluator's identity is kept only when a call-back is needed. Idempotent;
    /// `EvaluationQueue.enqueue(_:ledger:)` writes the same row in the
    /// evaluation's own transaction.
    func recordBadReview(_ evaluation: Evaluation, policy: BadReviewPolicy) throws {
        guard let row = CaseLedgerUpdate.badReview(evaluation, policy: policy) else { return }
        try locked { db in try CaseLedgerUpdate.write(row, on: db) }
    }

    // The reads are the store's own (`QueueReader`), on the same file.
    func badReviews(_ query: BadReviewQuery = BadReviewQuery()) throws -> [BadReviewEntry] {
        try QueueReader(path: path).badReviews(query)
    }

    func followUp(of id: EvaluationID) throws -> FollowUpHistory? {
        try QueueReader(path: path).followUp(of: id)
    }

    func followUps(since: Date? = nil, until: Date? = nil) throws -> [FollowUpHistory] {
        try QueueReader(path: path).followUps(since: since, until: until)
    }

    /// Unaudited: for tests that build a ledger. An operator's step goes
    /// through the audited overload below.
    @discardableResult
    func appendFollowUpStep(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date) throws -> FollowUpHistory {
        try locked { try FollowUpStore.append(step, to: id, recordedAt: recordedAt, on: $0) }
    }

    /// An operator's step (evalctl with evald stopped) and its audit row, in one transaction.
    func appendFollowUpStep(_ step: FollowUpStep, to id: EvaluationID, recordedAt: Date, by actor: AuditActor,
                                   detail: (FollowUpStore.Appended) -> String) throws -> (appended: FollowUpStore.Appended, audit: AuditEntry) {
        try locked { db in
            try db.transaction { try FollowUpStore.appendAudited(step, to: id, recordedAt: recordedAt, by: actor, detail: detail, on: db) }
        }
    }

    func filteredPresses(since: Date = .distantPast, limit: Int = 1000) throws -> [FilteredPress] {
        try QueueReader(path: path).filteredPresses(since: since, limit: limit)
    }
}
