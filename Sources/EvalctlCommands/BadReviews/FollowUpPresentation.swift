import EvalCore
import EvalQueue
import Foundation

/// How follow-ups are shown: list cells, `show` text and the JSON objects of
/// `show --json` and `report --json` (documented in docs/bad-reviews.md).
enum FollowUpPresentation {
    /// `listRow`'s columns (`BadReviewReport.header` and the stage), "中文 english" as every evalctl table.
    static let listHeader = ["编号 id", "时间 time", "评价 rating", "大厅 hall", "窗口 window", "工作人员 staff", "办件 case", "报送 delivery",
                             "期限 deadline", "超期 overdue", "回访 callBack", "评价人 evaluator", "原因 reasons", "阶段 stage"]
    /// Left out first at 80 columns; what stays is what a follow-up is chased by: id, time, window, deadline, overdue.
    static let listOptional = [11, 3, 7, 6, 10, 12, 5, 2, 13]

    /// A `BadReviewReport` row with the follow-up's deadline (extensions count),
    /// overdue (a rectified review is not) and stage appended.
    static func listRow(_ cells: [String], header: [String], followUp: BadReviewFollowUp?, today: CivilDate) -> [String] {
        var cells = cells
        guard let followUp else { return cells + ["-"] }
        if let index = header.firstIndex(of: "deadline") { cells[index] = followUp.deadline.description }
        if let index = header.firstIndex(of: "overdue") { cells[index] = followUp.isOverdue(at: today) ? "yes" : "no" }
        return cells + [followUp.stage.rawValue]
    }

    static func json(_ history: FollowUpHistory, today: CivilDate, calendar: WorkingDayCalendar) -> [String: Any] {
        let followUp = history.followUp
        func day(_ value: CivilDate?) -> Any { value.map { $0.description } ?? NSNull() }
        return [
            "evaluationId": history.evaluationId.description,
            "assessedAt": Output.isoTime(history.assessedAt),
            "window": history.windowCode,
            "staff": history.staffLogin ?? NSNull(),
            "stage": followUp.stage.rawValue,
            "verification": followUp.verification?.rawValue ?? NSNull(),
            "initialDeadline": followUp.initialDeadline.description,
            "deadline": followUp.deadline.description,
            "overdue": followUp.isOverdue(at: today),
            "workingDaysLeft": followUp.workingDaysLeft(at: today, calendar: calendar) ?? NSNull(),
            "rectifiedOn": day(followUp.rectifiedOn),
            "feedbackOn": day(followUp.feedbackOn),
            "callBackNeeded": followUp.callBackNeeded,
            "calledBackOn": day(followUp.calledBackOn),
            "callBackRetryNeeded": followUp.callBackRetryNeeded,
            "countsInRates": followUp.countsInRates,
            "identityStored": history.identityStored,
            "steps": history.records.map { record -> [String: Any] in
                let fields = record.step.fields
                return [
                    "seq": record.seq, "kind": fields.kind, "day": fields.day, "by": fields.by, "text": fields.text,
                    "verification": fields.verification ?? NSNull(), "newDeadline": fields.newDeadline ?? NSNull(),
                    "result": fields.result ?? NSNull(), "recordedAt": Output.isoTime(record.recordedAt),
                ]
            },
        ]
    }

    static func text(_ history: FollowUpHistory, today: CivilDate, calendar: WorkingDayCalendar) -> String {
        let followUp = history.followUp
        var lines = [
            "bad review   \(history.evaluationId)  rated \(ShanghaiTime.format(history.assessedAt))  window \(history.windowCode)  staff \(history.staffLogin ?? "-")",
            "stage        \(followUp.stage.rawValue)" + (followUp.verification.map { " (\($0.rawValue))" } ?? ""),
            "deadline     \(followUp.deadline)" + (followUp.deadline != followUp.initialDeadline ? " (extended from \(followUp.initialDeadline))" : "")
                + (followUp.isOverdue(at: today) ? "  OVERDUE" : "")
                + (followUp.workingDaysLeft(at: today, calendar: calendar).map { $0 >= 0 ? "  \($0) working day(s) left" : "" } ?? ""),
            "call-back    " + (!followUp.callBackNeeded ? "not needed" : followUp.callBackDone ? "done \(followUp.calledBackOn!)"
                : followUp.callBackRetryNeeded ? "needed (last attempt unreachable: retry)" : "needed"),
            "identity     " + (history.identityStored ? "stored until the call-back" : "not stored"),
        ]
        lines.append(history.records.isEmpty ? "no follow-up steps yet" : "steps:")
        for record in history.records {
            let fields = record.step.fields
            let detail = [fields.verification, fields.newDeadline.map { "until \($0)" }, fields.result].compactMap { $0 }.joined(separator: " ")
            lines.append("  \(record.seq). \(fields.day) \(fields.kind)\(detail.isEmpty ? "" : " " + detail) by \(fields.by): \(fields.text)")
        }
        return lines.joined(separator: "\n")
    }
}
