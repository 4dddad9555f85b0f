import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue 24, item 3: erased means erased. Records in every state carry a
/// distinctive name and certificate number; after the purge neither string
/// is anywhere in the bytes of the queue file or its WAL.
@Suite struct ErasureTests {
    static let name = "澹台鹭鸶"
    static let certKey = "ERASEME7Q3Z9K2W5"

    static func evaluation(_ rating: Rating, at date: Date) -> Evaluation {
        var evaluation = SampleEvaluation.make(rating: rating, at: date)
        evaluation.evaluator = Evaluator(userName: PersonalData(name), certKey: PersonalData(certKey))
        return evaluation
    }

    /// The raw bytes of the file and its WAL, and whether either holds `text`.
    static func onDisk(_ text: String, at path: String) -> [String] {
        let needle = Data(text.utf8)
        return ["", "-wal"].compactMap { suffix in
            guard let bytes = FileManager.default.contents(atPath: path + suffix) else { return nil }
            return bytes.range(of: needle) == nil ? nil : "queue file\(suffix)"
        }
    }

    @Test func everyStateIsErasedFromTheFileAndItsWAL() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(QueueConfiguration(
            path: fixture.path, minFreeBytes: 0, deliveredRetentionDays: 3650, personalDataRetention: 86_400,
            undeliveredPersonalDataRetention: 7 * 86_400, badReviewIdentityMaxAge: 30 * 86_400))
        defer { queue.close() }
        let policy = BadReviewPolicy(calendar: .mondayToFriday)
        let delivered = Self.evaluation(.satisfied, at: fixture.now)
        let rejected = Self.evaluation(.verySatisfied, at: fixture.now)
        let held = Self.evaluation(.basicallySatisfied, at: fixture.now)
        let badReview = Self.evaluation(.veryDissatisfied, at: fixture.now)
        for evaluation in [delivered, rejected, held, badReview] {
            try await queue.enqueue(evaluation, ledger: CaseLedgerUpdate(evaluation, badReviewPolicy: policy))
        }
        _ = try await queue.claim(limit: 4, now: fixture.now)
        try await queue.settle([
            .delivered(delivered.evaluationId), .delivered(badReview.evaluationId),
            .rejected(rejected.evaluationId, reason: "taskCode unknown"),
            .retry(held.evaluationId, error: "time-uncertain: no trusted anchor", notBefore: .distantFuture),
        ], now: fixture.now)
        #expect(Self.onDisk(Self.certKey, at: fixture.path) != [], "the test must see the data before it is erased")

        // Past the delivered retention only: the rejected and held ones keep it.
        fixture.clock.advance(by: 2 * 86_400)
        #expect(try await queue.prune(now: fixture.now).personalDataPurged == 2)
        #expect(try queue.record(rejected.evaluationId)?.evaluation.evaluator != nil)
        #expect(try queue.record(held.evaluationId)?.evaluation.evaluator != nil)
        #expect(try queue.record(delivered.evaluationId)?.evaluation.evaluator == nil)

        // Past every retention: the dead letter, the held record and the bad
        // review's call-back copy (never called back) go too.
        fixture.clock.advance(by: 40 * 86_400)
        #expect(try await queue.prune(now: fixture.now).personalDataPurged == 3)
        for id in [delivered, rejected, held, badReview].map(\.evaluationId) {
            #expect(try queue.record(id)?.evaluation.evaluator == nil)
        }
        #expect(Self.onDisk(Self.name, at: fixture.path) == [])
        #expect(Self.onDisk(Self.certKey, at: fixture.path) == [])
    }

    /// Why the pragma is there: without secure_delete, SQLite leaves erased
    /// rows' bytes in free pages where a reader of the file finds them.
    @Test(arguments: [false, true])
    func secureDeleteIsWhatZeroesTheBytes(_ secure: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "erasure")
        defer { directory.remove() }
        let path = directory.path("plain.db")
        let db = try Connection(path: path)
        try db.execute("PRAGMA secure_delete = \(secure ? "ON" : "OFF"); CREATE TABLE t(name TEXT)")
        try db.execute("BEGIN; " + String(repeating: "INSERT INTO t VALUES ('\(Self.certKey)');", count: 300) + " COMMIT")
        try db.execute("DELETE FROM t")
        #expect((Self.onDisk(Self.certKey, at: path) != []) == !secure)
    }

    @Test func filteredPressesArePrunedWithTheDeliveredRetention() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(deliveredRetentionDays: 2))
        defer { queue.close() }
        let press = FilteredPress(rating: .satisfied, deviceId: "kbd", windowCode: "W01", pressedAt: fixture.now, reason: .bounce)
        try await queue.recordFiltered(press)
        #expect(try await queue.prune(now: fixture.now.addingTimeInterval(86_400)).filteredPressesDeleted == 0)
        #expect(try await queue.prune(now: fixture.now.addingTimeInterval(3 * 86_400)).filteredPressesDeleted == 1)
    }
}

/// Quarantined files hold personal data too: kept for salvage, then removed.
@Suite struct QuarantineRetentionTests {
    @Test func aQuarantinedFileIsRemovedAfterItsRetention() async throws {
        let fixture = try QueueFixture()
        // A damaged file at open is moved aside with the clock's stamp.
        try Data("not a database, just garbage".utf8).write(to: URL(fileURLWithPath: fixture.path))
        let configuration = QueueConfiguration(path: fixture.path, minFreeBytes: 0, quarantineRetention: 10 * 86_400)
        let queue = try fixture.open(configuration)
        defer { queue.close() }
        let moved = try #require(queue.quarantinedFile)
        #expect(QuarantineRetention.find(beside: fixture.path).map(\.path) == [moved])

        #expect(try await queue.prune(now: fixture.now.addingTimeInterval(10 * 86_400 - 60)).quarantinedFilesRemoved == [])
        #expect(FileManager.default.fileExists(atPath: moved))
        #expect(try await queue.prune(now: fixture.now.addingTimeInterval(10 * 86_400 + 1)).quarantinedFilesRemoved == [moved])
        #expect(!FileManager.default.fileExists(atPath: moved))
        #expect(try fixture.files(startingWith: "queue.sqlite3.corrupt-") == [])
    }

    @Test func theStampReadsBack() {
        let date = Date(timeIntervalSince1970: 1_790_000_123)
        #expect(QuarantineRetention.stampDate(QueueFile.timestamp(date)) == date)
        #expect(QuarantineRetention.stampDate("20261129T04150Z") == nil)
    }
}
