import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

/// `evalctl case PROJECT_NO`: what the agent knows about one case (办件) —
/// whether a press for it now rates it or is a repeat, which evaluation
/// settled it and where that is, and the presses kept for it. The answer to
/// "the keypad said I had already rated": the ledger table alone does not
/// give it (a case rated in the commit that scanned it is recorded by its
/// queued evaluation, docs/queue.md).
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "One case (办件): open, rated or defaulted, by which evaluation, and the presses kept for it.",
        discussion: "--json prints one object; its schema is in docs/cli-json.md."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The case's project number (办件编号), as scanned.")
    var projectNo: String
    @Flag(help: "Machine-readable output (schema: docs/cli-json.md).")
    var json = false

    func run() throws {
        let report = try options.context().reader().caseReport(of: projectNo)
        print(json ? Output.json(Self.object(report)) : Self.text(report))
    }

    static func object(_ report: CaseReport) -> [String: Any] {
        let evaluation = report.record?.evaluation
        return [
            "projectNo": report.projectNo,
            "state": report.state.rawValue,
            "recordedBy": report.recordedBy?.rawValue ?? NSNull(),
            "windowCode": report.windowCode ?? NSNull(),
            "openedAt": Output.isoTime(report.openedAt),
            "dueAt": Output.isoTime(report.dueAt),
            "settledAt": Output.isoTime(report.settledAt),
            "evaluatorOfflineAt": Output.isoTime(report.evaluatorOfflineAt),
            "evaluationId": report.evaluationId?.description ?? NSNull(),
            "deliveryState": report.record?.state.rawValue ?? NSNull(),
            "satisfaction": evaluation?.satisfaction.rawValue ?? NSNull(),
            "evaluationType": evaluation?.evaluationType.rawValue ?? NSNull(),
            "filteredPresses": report.filtered.map { press -> [String: Any] in
                ["pressedAt": RFC3339.string(press.pressedAt), "satisfaction": press.rating.rawValue,
                 "reason": press.reason.rawValue, "deviceId": press.deviceId, "windowCode": press.windowCode]
            },
        ]
    }

    static func text(_ report: CaseReport) -> String {
        var lines: [(String, String)] = [("办件 case", report.projectNo), ("状态 state", stateLine(report.state))]
        switch report.recordedBy {
        case .ledger: lines.append(("记录 record", "the case ledger's row"))
        case .queue: lines.append(("记录 record", "its queued evaluation (scanned and rated in one commit)"))
        case nil: break
        }
        lines.append(("窗口 window", report.windowCode ?? "-"))
        lines.append(("扫描 opened", Output.time(report.openedAt)))
        if report.state == .open { lines.append(("到期 due", "\(Output.time(report.dueAt)) (then its default 基本满意)")) }
        if let id = report.evaluationId {
            var settled = "\(Output.time(report.settledAt))  \(RecordPresentation.shortId(id))"
            if let record = report.record {
                let e = record.evaluation
                settled += "  \(e.satisfaction.chineseName)(\(e.satisfaction.rawValue))\(e.evaluationType == .defaulted ? " 默认" : ""), \(record.state.rawValue)"
            } else {
                settled += "  (pruned or dropped)"
            }
            lines.append((report.state == .defaulted ? "默认 defaulted" : "评价 rated", settled))
        }
        if let offline = report.evaluatorOfflineAt {
            lines.append(("评价器 evaluator", "offline at the window from \(Output.time(offline)) while the case was open: nobody could rate"))
        }
        let kept = report.filtered.count
        lines.append(("过滤 filtered", kept == 0 ? "none" : "\(kept) press\(kept == 1 ? "" : "es") kept for audit, not sent:"))
        var text = lines.map { "\($0.0.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.1)" }
        for press in report.filtered {
            text.append(String(repeating: " ", count: 15)
                        + "\(Output.time(press.pressedAt))  \(press.rating.chineseName)(\(press.rating.rawValue))  \(press.reason.rawValue)  \(press.deviceId)")
        }
        return text.joined(separator: "\n")
    }

    static func stateLine(_ state: CaseLedgerState) -> String {
        switch state {
        case .unknown: "unknown 未扫描: never scanned here; a scan opens it"
        case .open: "open 待评价: a press now rates it"
        case .rated: "rated 已评价: a press now is a repeat (kept, not sent)"
        case .defaulted: "defaulted 已默认评价: a press now is a repeat (kept, not sent)"
        case .unavailable: "unavailable: the file could not be read"
        }
    }
}
