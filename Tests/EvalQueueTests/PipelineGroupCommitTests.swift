import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue
import EvalSession

/// The daemon's pipeline submits each input's evaluation and takes the next
/// input at once (`SessionDriver.submit`): evaluations arriving while a commit
/// is under way share the next one, and a case whose rating is not yet
/// committed can never be rated again meanwhile.
///
/// A commit "under way" is made deterministic by a writer operation that
/// holds the writer thread until the test lets it go — the same position as
/// a slow fsync.
@Suite struct PipelineGroupCommitTests {
    typealias F = LedgerFixtures
    typealias Suite = CaseLedgerSessionTests

    /// Occupies the store's writer thread until `release`.
    final class WriterStall: Sendable {
        private let held = DispatchSemaphore(value: 0)
        private let entered = DispatchSemaphore(value: 0)

        init(_ store: EvaluationQueue) {
            store.writer.submit({ [held, entered] _ in
                entered.signal()
                held.wait()
            }, eager: true, completion: { _ in })
        }

        /// Returns once the writer is inside the stalled operation.
        func engaged() async throws { try await onOwnThread { self.entered.wait() } }
        func release() { held.signal() }
    }

    @Test func inputsSubmittedDuringACommitShareTheNextOne() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let driver = Suite.driver(store, RecordingObserver())
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        let stall = WriterStall(store)
        try await stall.engaged()
        let before = store.writerStatistics.transactions

        let inputs = 20
        let (durable, tell) = AsyncStream.makeStream(of: [Evaluation].self)
        for index in 0..<inputs {
            let scan = Scan.caseReceipt(CaseTicket(projectNo: "2026030201\(100 + index)"))
            let state = await driver.caseState(for: scan)
            driver.submit(session.receive(scan, caseState: state, at: Suite.moment("2026-03-02 09:\(10 + index):00"))) { _ in }
            driver.submit(session.press(Press(rating: .satisfied, deviceId: "kbd-1"),
                                        at: Suite.moment("2026-03-02 09:\(10 + index):30"))) { tell.yield($0) }
        }
        stall.release()
        var stored: [Evaluation] = []
        for await batch in durable {
            stored += batch
            if stored.count == inputs { break }
        }

        // The stalled operation's commit, then one commit for all 40 operations
        // (20 case rows, 20 evaluations with their ledger rows).
        let statistics = store.writerStatistics
        #expect(statistics.transactions - before == 1, "one commit after the stall, not one per input")
        #expect(statistics.largestBatch == 2 * inputs)
        #expect(stored.map(\.projectNo) == (0..<inputs).map { "2026030201\(100 + $0)" })
        #expect(try await store.caseState(of: "2026030201100") == .rated)
    }

    @Test func aCaseWhoseRatingIsNotYetCommittedReadsAsRated() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let observer = RecordingObserver()
        let driver = Suite.driver(store, observer)
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        let ticket = CaseTicket(projectNo: "2026030200077")
        await Suite.scan(ticket, &session, driver, at: "2026-03-02 09:00:00")

        let stall = WriterStall(store)
        try await stall.engaged()
        let (durable, tell) = AsyncStream.makeStream(of: [Evaluation].self)
        driver.submit(session.press(Press(rating: .verySatisfied, deviceId: "kbd-1"), at: Suite.moment("2026-03-02 09:01:00"))) {
            tell.yield($0)
        }
        // The rating is on its way to the disk, not there yet: the file says
        // not rated (its case row may still be in the stalled batch too), the store must say rated (a fresh session scanning the case
        // again would otherwise open a second rating).
        #expect(try store.reader.caseState(of: ticket.projectNo) != .rated)
        #expect(try await store.caseState(of: ticket.projectNo) == .rated)
        var fresh = CounterSession<ContinuousClock.Instant>(window: F.window)
        let rescan = Scan.caseReceipt(ticket)
        let state = await driver.caseState(for: rescan)
        _ = fresh.receive(rescan, caseState: state, at: Suite.moment("2026-03-02 09:01:10"))
        let again = fresh.press(Press(rating: .dissatisfied, deviceId: "kbd-2"), at: Suite.moment("2026-03-02 09:01:20"))
        #expect(!again.contains { if case .emit = $0 { return true } else { return false } })

        stall.release()
        for await stored in durable {
            #expect(stored.map(\.satisfaction) == [.verySatisfied])
            break
        }
        #expect(try store.reader.caseState(of: ticket.projectNo) == .rated)
    }
}
