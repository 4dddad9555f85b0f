import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// The session and the real ledger together, across a restart.
@Suite struct CaseLedgerSessionTests {
    typealias F = LedgerFixtures
    static let base = ContinuousClock.now

    static func moment(_ text: String) -> SessionMoment<ContinuousClock.Instant> {
        let wall = F.at(text)
        return SessionMoment(wall: wall, instant: base.advanced(by: .seconds(wall.timeIntervalSince(F.at("2026-03-02 00:00:00")))))
    }

    /// What the agent does with a session's actions; returns the enqueued evaluations.
    static func perform(_ actions: [SessionAction], ledger: CaseLedger) throws -> [Evaluation] {
        var queue: [Evaluation] = []
        for action in actions {
            if case .emit(let evaluation) = action { queue.append(evaluation) }
            try ledger.record(action, scheduler: F.scheduler, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday))
        }
        return queue
    }

    @Test func aCaseRatedBeforeARestartCannotBeRatedAfterIt() throws {
        let directory = try TemporaryDirectory(prefix: "ledger-session")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let ticket = CaseTicket(projectNo: "2026030200001")

        do {
            let ledger = try CaseLedger(path: path)
            var session = CounterSession<ContinuousClock.Instant>(window: F.window)
            var queue = try Self.perform(session.receive(.caseReceipt(ticket), caseState: ledger.state(of: ticket.projectNo), at: Self.moment("2026-03-02 09:00:00")), ledger: ledger)
            queue += try Self.perform(session.press(Press(rating: .dissatisfied, deviceId: "kbd-1"), at: Self.moment("2026-03-02 09:01:00")), ledger: ledger)
            #expect(queue.count == 1 && queue.first?.projectNo == ticket.projectNo)
        }

        // Restart: a fresh session knows nothing; the ledger does.
        let ledger = try CaseLedger(path: path)
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        #expect(try ledger.state(of: ticket.projectNo) == .rated)
        var queue = try Self.perform(session.receive(.caseReceipt(ticket), caseState: ledger.state(of: ticket.projectNo), at: Self.moment("2026-03-02 10:00:00")), ledger: ledger)
        queue += try Self.perform(session.press(Press(rating: .verySatisfied, deviceId: "kbd-1"), at: Self.moment("2026-03-02 10:00:05")), ledger: ledger)
        #expect(queue.isEmpty)
        let filtered = try ledger.filteredPresses()
        #expect(filtered.map(\.reason) == [.repeat] && filtered.first?.projectNo == ticket.projectNo)
        // It was a bad review: in the 台账, and never defaulted.
        #expect(try ledger.badReviews().map(\.projectNo) == [ticket.projectNo])
        #expect(try ledger.applyDueDefaults(at: F.at("2026-06-01 00:00:00")) { _ in Issue.record("must not default a rated case") }.isEmpty)
    }

    @Test func anUnratedCaseIsDefaultedAfterARestartAndThenRepeats() throws {
        let directory = try TemporaryDirectory(prefix: "ledger-session")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let ticket = CaseTicket(projectNo: "2026030200002", taskCode: "T1")
        do {
            let ledger = try CaseLedger(path: path)
            var session = CounterSession<ContinuousClock.Instant>(window: F.window)
            let actions = session.receive(.caseReceipt(ticket), caseState: try ledger.state(of: ticket.projectNo), at: Self.moment("2026-03-02 09:00:00"))
            #expect(try Self.perform(actions, ledger: ledger).isEmpty)
        }
        let ledger = try CaseLedger(path: path)
        var queue: [Evaluation] = []
        try ledger.applyDueDefaults(at: F.at("2026-03-10 00:00:00")) { queue.append($0) }
        #expect(queue.map(\.evaluationType) == [.defaulted])
        var session = CounterSession<ContinuousClock.Instant>(window: F.window)
        _ = try Self.perform(session.receive(.caseReceipt(ticket), caseState: ledger.state(of: ticket.projectNo), at: Self.moment("2026-03-10 09:00:00")), ledger: ledger)
        let late = try Self.perform(session.press(Press(rating: .verySatisfied, deviceId: "kbd-1"), at: Self.moment("2026-03-10 09:00:10")), ledger: ledger)
        #expect(late.isEmpty)
        #expect(try ledger.filteredPresses().map(\.reason) == [.repeat])
    }
}
