import EvalCore
import EvalTesting
import Foundation
@testable import EvalQueue

extension SessionFixture {
    /// Drives a `CounterSession` through the steps with the shipped scan rules
    /// and the daemon's own `SessionDriver` on a real store in a temporary
    /// file: case states come from the store, actions go into it, exactly as
    /// in `CounterPipeline`. `ledger` lines seed the store as an earlier run
    /// would have left it. Returns one message per mismatch.
    func run(rules: ScanRuleSet) async throws -> [String] {
        var failures: [String] = []
        var session = CounterSession<ContinuousClock.Instant>(window: window, policy: policy)
        let directory = try TemporaryDirectory(prefix: "session-fixture")
        defer { directory.remove() }
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: directory.path("queue.db"), minFreeBytes: 0))
        defer { store.close() }
        let calendar = WorkingDayCalendar.mondayToFriday
        let driver = SessionDriver(store: store, scheduler: DefaultRatingScheduler(calendar: calendar),
                                   badReviewPolicy: BadReviewPolicy(calendar: calendar), observer: SilentSessionObserver())
        let base = ContinuousClock.now
        guard let start = steps.first?.wall else { return ["fixture has no inputs"] }
        try await seed(initialLedger, into: store, at: start)

        for step in steps {
            try await seed(step.ledger, into: store, at: step.wall)
            // The monotonic clock follows the fixture's wall clock.
            let moment = SessionMoment(wall: step.wall, instant: base.advanced(by: .milliseconds(Int64(((step.wall.timeIntervalSince(start)) * 1000).rounded()))))
            let actions: [SessionAction]
            switch step.input {
            case .scan(let payload):
                switch rules.classify(payload) {
                case .recognized(let scan, _):
                    actions = session.receive(scan, caseState: await driver.caseState(for: scan), at: moment)
                case .ignored(let rejection):
                    actions = [.log(SessionEvent(.warning, "scan ignored: \(rejection)"))]
                }
            case .press(let rating, let device):
                actions = session.press(Press(rating: rating, deviceId: device), at: moment)
            case .tick:
                actions = session.tick(at: moment)
            }

            let stored = await driver.perform(actions)
            let emitted = actions.filter { if case .emit = $0 { true } else { false } }.count
            if stored.count != emitted {
                failures.append("line \(step.line): the store took \(stored.count) of \(emitted) evaluation(s)")
            }

            let logs = actions.compactMap { action -> String? in if case .log(let event) = action { "\(event)" } else { nil } }
            let records = actions.compactMap(Self.render)
            let expected = step.expectations.filter { if case .log = $0.kind { false } else { true } }
            for expectation in step.expectations {
                if case .log(let text) = expectation.kind, !logs.contains(where: { $0.contains(text) }) {
                    failures.append("line \(expectation.line): no log containing \"\(text)\"; logs: \(logs)")
                }
            }
            if records.count != expected.count {
                failures.append("line \(step.line): expected \(expected.count) action(s), got \(records.map(\.text))")
                continue
            }
            for (record, expectation) in zip(records, expected) {
                guard record.kind == expectation.kind else {
                    failures.append("line \(expectation.line): expected \(expectation.kind), got \(record.text)")
                    continue
                }
                for (key, value) in expectation.fields where record.fields[key] != value {
                    failures.append("line \(expectation.line): \(key) expected \(value), got \(record.fields[key] ?? "(no such key)") in \(record.text)")
                }
            }
        }
        return failures
    }

    /// Writes `states` into the store as an earlier run would have left them.
    private func seed(_ states: [String: CaseLedgerState], into store: EvaluationQueue, at wall: Date) async throws {
        let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)
        for (projectNo, state) in states.sorted(by: { $0.key < $1.key }) {
            let opened = wall.addingTimeInterval(-30 * 86_400)
            let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo), window: window, staff: [], openedAt: opened)
            try await store.openCase(opening, due: scheduler.due(openedAt: opened))
            let evaluation = Evaluation(satisfaction: .satisfied, evaluationType: state == .defaulted ? .defaulted : .active,
                                        assessedAt: opened, areaCode: window.areaCode, windowCode: window.windowCode,
                                        deviceId: "seed", projectNo: projectNo)
            switch state {
            case .rated:
                try await store.enqueue(evaluation, ledger: CaseLedgerUpdate(evaluation, badReviewPolicy: BadReviewPolicy(calendar: .mondayToFriday)))
            case .defaulted:
                try await store.writer.perform { context in
                    _ = try LedgerSQL.settleDefault(evaluation, projectNo: projectNo, at: wall, keeping: nil, on: context.connection)
                }
            case .open, .unknown, .unavailable:
                break
            }
        }
    }

    struct Rendered {
        var kind: Expectation.Kind
        var fields: [String: String]
        var text: String { "\(kind) " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    /// An action as the key=value fields expectations are written in.
    static func render(_ action: SessionAction) -> Rendered? {
        switch action {
        case .emit(let evaluation):
            return Rendered(kind: .emit, fields: [
                "rating": "\(evaluation.satisfaction.rawValue)",
                "type": evaluation.evaluationType == .active ? "active" : "default",
                "case": evaluation.projectNo ?? "none",
                "task": evaluation.taskCode ?? "none",
                "staff": evaluation.evaluatedPersons.isEmpty ? "none" : evaluation.evaluatedPersons.map(\.loginName).joined(separator: ","),
                "evaluator": evaluation.evaluator.map { $0.userName.masked } ?? "none",
                "anonymity": "\(evaluation.anonymityFlag.rawValue)",
                "device": evaluation.deviceId,
                "window": evaluation.windowCode,
                "hall": evaluation.hallCode ?? "none",
                "area": evaluation.areaCode,
                "pf": "\(evaluation.pf.rawValue)",
                "time": evaluation.assessTime.replacingOccurrences(of: " ", with: "T"),
            ])
        case .filtered(let press):
            return Rendered(kind: .filtered(press.reason.rawValue), fields: [
                "rating": "\(press.rating.rawValue)",
                "case": press.projectNo ?? "none",
                "device": press.deviceId,
                "identity": press.hadIdentity ? "yes" : "no",
            ])
        case .openCase(let opening):
            return Rendered(kind: .open, fields: [
                "case": opening.ticket.projectNo,
                "task": opening.ticket.taskCode ?? "none",
                "staff": opening.staff.isEmpty ? "none" : opening.staff.map(\.loginName).joined(separator: ","),
            ])
        case .log, .prompt:
            return nil
        }
    }
}
