import EvalCore
import EvalQueue
import Foundation

/// One row of `bad-reviews list --json` as data (docs/cli-json.md): the
/// table's cells are display text ("yes", "1 非常不满意"), this is not.
enum BadReviewListObject {
    static func object(_ entry: BadReviewEntry, followUp: BadReviewFollowUp?, today: CivilDate, reveal: Bool,
                       reasons: ReasonCatalog = .national) -> [String: Any] {
        let evaluator = RecordPresentation.evaluatorObject(entry.evaluator, reveal: reveal)
        // The follow-up's deadline counts extensions, and a rectified review is not overdue.
        let deadline = followUp?.deadline ?? entry.deadline
        return [
            "evaluationId": entry.evaluationId.description,
            "assessedAt": Output.isoTime(entry.assessedAt),
            "satisfaction": entry.rating.rawValue,
            "satisfactionName": entry.rating.chineseName,
            "hallCode": entry.hallCode ?? NSNull(),
            "windowCode": entry.windowCode,
            "staff": entry.staff.map { ["loginName": $0.loginName, "name": $0.name] },
            "projectNo": entry.projectNo ?? NSNull(),
            "deliveryState": entry.deliveryState ?? NSNull(),
            "deadline": deadline.description,
            "overdue": followUp?.isOverdue(at: today) ?? (entry.deadline < today),
            "callBackNeeded": followUp?.callBackNeeded ?? entry.callBackNeeded,
            "evaluator": evaluator,
            "stage": followUp?.stage.rawValue ?? NSNull(),
            // The reasons as codes (`evalDetail`) and labels (empty where the table has none).
            "evalDetail": entry.evalDetail.map(ReasonCatalog.format) ?? NSNull(),
            "reasons": (entry.evalDetail ?? []).map { ["code": $0, "label": reasons.reason($0)?.label ?? ""] as [String: Any] },
        ]
    }
}
