import EvalCore
import Foundation

extension SessionFixture {
    /// Drives the pure `CounterSession` through the steps with the shipped scan
    /// rules, stamped as the daemon stamps input (`BootInstant`, boottime
    /// following the fixture's wall clock). The ledger is what the store would
    /// answer: the fixture's `ledger` lines, then what the session's own
    /// actions wrote (a case opened is `open`, a case rated is `rated`). The
    /// store's side of these actions has its own tests (EvalQueueTests).
    /// Returns one message per mismatch.
    func run(rules: ScanRuleSet) -> [String] {
        var failures: [String] = []
        var session = CounterSession<BootInstant>(window: window, policy: policy)
        var ledger = initialLedger
        // Any boot offset will do; a day since boot, as on a counter PC.
        let boot = BootInstant(seconds: 86_400)
        guard let start = steps.first?.wall else { return ["fixture has no inputs"] }

        for step in steps {
            ledger.merge(step.ledger) { $1 }
            let moment = SessionMoment(wall: step.wall, instant: boot.advanced(by: .milliseconds(Int64((step.wall.timeIntervalSince(start) * 1000).rounded()))))
            let actions: [SessionAction]
            switch step.input {
            case .scan(let payload):
                switch rules.classify(payload) {
                case .recognized(let scan, _):
                    var state = CaseLedgerState.unknown
                    if case .caseReceipt(let ticket) = scan { state = ledger[ticket.projectNo] ?? .unknown }
                    actions = session.receive(scan, caseState: state, at: moment)
                case .ignored(let rejection):
                    actions = [.log(SessionEvent(.warning, "scan ignored: \(rejection)"))]
                }
            case .press(let rating, let device):
                actions = session.press(Press(rating: rating, deviceId: device), at: moment)
            case .close(let projectNo, let close):
                actions = session.closeService(projectNo: projectNo, because: close, at: moment)
            case .tick:
                actions = session.tick(at: moment)
            }
            for action in actions {
                switch action {
                case .openCase(let opening) where ledger[opening.ticket.projectNo] == nil:
                    ledger[opening.ticket.projectNo] = .open
                case .emit(let evaluation):
                    if let projectNo = evaluation.projectNo { ledger[projectNo] = .rated }
                default: break
                }
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
                // Held for a reason step: for how long after the press.
                "held": evaluation.heldUntil.map { "\(Int($0.timeIntervalSince(evaluation.assessedAt).rounded()))s" } ?? "none",
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
        case .attachReason(let pick):
            return Rendered(kind: .reason, fields: [
                "codes": pick.codes.isEmpty ? "none" : ReasonCatalog.format(pick.codes),
                "window": pick.windowCode,
            ])
        case .prompt(let prompt) where prompt.prompt == .reason:
            return Rendered(kind: .prompt("reason"), fields: [:])
        case .log, .prompt:
            return nil
        }
    }
}
