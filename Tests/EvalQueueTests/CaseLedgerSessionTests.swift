import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue
import EvalSession

/// The session and the real store together, through the daemon's own
/// `SessionDriver`, across restarts and store failures.
@Suite struct CaseLedgerSessionTests {
    typealias F = LedgerFixtures
    static let base = ContinuousClock.now

    static func moment(_ text: String) -> SessionMoment<ContinuousClock.Instant> {
        let wall = F.at(text)
        return SessionMoment(wall: wall, instant: base.advanced(by: .seconds(wall.timeIntervalSince(F.at("2026-03-02 00:00:00")))))
    }

    static func driver(_ store: EvaluationQueue, _ observer: RecordingObserver) -> SessionDriver {
        SessionDriver(store: store, scheduler: F.scheduler, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday), observer: observer)
    }

    /// A scan as the daemon's pipeline handles it: the driver's case lookup, then its actions.
    static func scan(_ ticket: CaseTicket, _ session: inout CounterSession<ContinuousClock.Instant>, _ driver: SessionDriver, at text: String) async {
        let scan = Scan.caseReceipt(ticket)
        let state = await driver.caseState(for: scan)
        await driver.perform(session.receive(scan, caseState: state, at: moment(text)))
    }

    static func press(_ rating: Rating, _ session: inout CounterSession<ContinuousClock.Instant>, _ driver: SessionDriver, at text: String) async -> [Evaluation] {
        await driver.perform(session.press(Press(rating: rating, deviceId: "kbd-1"), at: moment(text)))
    }

    @Test func aCaseRatedBeforeARestartCannotBeRatedAfterIt() async throws {
        let fixture = try QueueFixture()
        let ticket = CaseTicket(projectNo: "2026030200001")
        do {
            let store = try fixture.open()
            let observer = RecordingObserver()
            let driver = Self.driver(store, observer)
            var session = CounterSession<ContinuousClock.Instant>(window: F.window)
            await Self.scan(ticket, &session, driver, at: "2026-03-02 09:00:00")
            let queued = await Self.press(.dissatisfied, &session, driver, at: "2026-03-02 09:01:00")
            #expect(queued.count == 1 && queued.first?.projectNo == ticket.projectNo)
            #expect(observer.prompts == [.invite, .thanks], "thanked once the rating is durable")
            store.close()
        }

        // Restart: a fresh session knows nothing; the store does.
        let store = try fixture.open()
        let observer = RecordingObserver()
        let driver = Self.driver(store, observer)
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        #expect(try await store.caseState(of: ticket.projectNo) == .rated)
        await Self.scan(ticket, &session, driver, at: "2026-03-02 10:00:00")
        #expect(await Self.press(.verySatisfied, &session, driver, at: "2026-03-02 10:00:05").isEmpty)
        let pass = await store.applyDueDefaults(at: F.at("2026-06-01 00:00:00"))
        store.close()  // commits the filtered press submitted without waiting

        let ledger = try LedgerFile(path: fixture.path, mode: .readOnly)
        let filtered = try ledger.filteredPresses()
        #expect(filtered.map(\.reason) == [.repeat] && filtered.first?.projectNo == ticket.projectNo)
        // It was a bad review: in the 台账, and never defaulted.
        #expect(try ledger.badReviews().map(\.projectNo) == [ticket.projectNo])
        #expect(pass.enqueued.isEmpty, "must not default a rated case")
    }

    @Test func anUnratedCaseIsDefaultedAfterARestartAndThenRepeats() async throws {
        let fixture = try QueueFixture()
        let ticket = CaseTicket(projectNo: "2026030200002", taskCode: "T1")
        do {
            let store = try fixture.open()
            var session = CounterSession<ContinuousClock.Instant>(window: F.window)
            await Self.scan(ticket, &session, Self.driver(store, RecordingObserver()), at: "2026-03-02 09:00:00")
            store.close()
        }
        let store = try fixture.open()
        defer { store.close() }
        let observer = RecordingObserver()
        let driver = Self.driver(store, observer)
        #expect(await driver.applyDueDefaults(now: F.at("2026-03-10 00:00:00")) == nil, "nothing else is due")
        #expect(observer.stored.map(\.evaluationType) == [.defaulted])
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        await Self.scan(ticket, &session, driver, at: "2026-03-10 09:00:00")
        #expect(await Self.press(.verySatisfied, &session, driver, at: "2026-03-10 09:00:10").isEmpty)
        #expect(observer.filteredPresses.map(\.reason) == [.repeat])
    }

    @Test func anUnreadableLedgerFailsClosed() async throws {
        let fixture = try QueueFixture()
        let ticket = CaseTicket(projectNo: "P-UNREADABLE-01")
        let store = try fixture.open()
        defer { store.close() }
        let observer = RecordingObserver()
        let driver = Self.driver(store, observer)
        // The case was rated; then the ledger's table cannot be read.
        var first = CounterSession<ContinuousClock.Instant>(window: F.window)
        await Self.scan(ticket, &first, driver, at: "2026-03-02 09:00:00")
        #expect(await Self.press(.satisfied, &first, driver, at: "2026-03-02 09:00:05").count == 1)
        let breaker = try Connection(path: fixture.path)
        try breaker.execute("ALTER TABLE ledger_cases RENAME TO ledger_cases_gone")

        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        await Self.scan(ticket, &session, driver, at: "2026-03-02 10:00:00")
        let again = await Self.press(.verySatisfied, &session, driver, at: "2026-03-02 10:00:05")
        #expect(again.isEmpty, "an unreadable ledger must never allow a second rating")
        #expect(observer.unavailableCases == [ticket.projectNo])
        #expect(observer.filteredPresses.map(\.reason) == [.ledgerUnavailable])
        #expect(try store.counts()[.pending] == 1)
    }

    @Test func aRefusedEvaluationIsReportedAndLeavesTheCaseOpen() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open(fixture.configuration(maxPendingRecords: 1))
        defer { store.close() }
        let observer = RecordingObserver()
        let driver = Self.driver(store, observer)
        try await store.enqueue(SampleEvaluation.make())  // the cap is reached
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        let ticket = CaseTicket(projectNo: "P-REFUSED-01")
        await Self.scan(ticket, &session, driver, at: "2026-03-02 09:00:00")
        #expect(await Self.press(.dissatisfied, &session, driver, at: "2026-03-02 09:00:05").isEmpty)
        #expect(observer.refusedEvaluations.map(\.projectNo) == [ticket.projectNo])
        #expect(observer.prompts == [.invite], "the case invited its rating, but a refused rating is never thanked")
        #expect(try await store.caseState(of: ticket.projectNo) == .open, "nothing stored: the case can still be rated or defaulted")
        // Its default is refused too, reported, and retried within a minute.
        let next = await driver.applyDueDefaults(now: F.at("2026-03-10 00:00:00"))
        #expect(next == F.at("2026-03-10 00:01:00"))
        #expect(try await store.caseState(of: ticket.projectNo) == .open)
    }

    /// The counter API answers 409 with the evaluation that settled the case:
    /// a citizen's, or the default rating's when no citizen rated it.
    @Test func aDefaultRatedCaseNamesItsDefaultEvaluation() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let driver = Self.driver(store, RecordingObserver())
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        let ticket = CaseTicket(projectNo: "P-DEFAULTED-01")
        await Self.scan(ticket, &session, driver, at: "2026-03-02 09:00:00")
        // An awaited write commits the case row submitted before it (the writer keeps order).
        try await store.enqueue(SampleEvaluation.make())
        #expect(try store.activeEvaluation(forProject: ticket.projectNo) == nil)
        let pass = await store.applyDueDefaults(at: F.at("2026-03-10 00:00:00"))
        let defaulted = try #require(pass.enqueued.first)
        #expect(try await store.caseState(of: ticket.projectNo) == .defaulted)
        #expect(try store.activeEvaluation(forProject: ticket.projectNo) == defaulted.evaluationId)
    }
}
