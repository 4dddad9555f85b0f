import EvalCore
import EvalQueue
import Foundation
import Logging

/// The text `evalctl bad-reviews` prints: one line per bad review with window,
/// staff, case, time, delivery state, deadline and call-back need. Identity is
/// masked unless `reveal` is set, and a reveal is itself logged (who asked is
/// the caller's to add; the count and ids are logged here).
enum BadReviewReport {
    static let header = ["evaluationId", "time", "rating", "hall", "window", "staff", "case", "delivery", "deadline", "overdue", "callBack", "evaluator", "reasons"]

    /// Rows of cells, `header` order.
    /// `reason` shows a code (with its label from the reason table, when the caller has it).
    static func rows(_ entries: [BadReviewEntry], today: CivilDate, reveal: Bool, logger: Logger,
                     reason: (Int) -> String = { String($0) }) -> [[String]] {
        if reveal {
            let revealed = entries.filter { $0.evaluator != nil }
            if !revealed.isEmpty {
                logger.notice("bad-reviews: evaluator identity revealed on request", metadata: [
                    "count": "\(revealed.count)",
                    "evaluations": "\(revealed.map(\.evaluationId.description).joined(separator: ","))",
                ])
            }
        }
        return entries.map { entry in
            let evaluator = entry.evaluator.map { evaluator in
                reveal ? "\(evaluator.userName.revealed) \(evaluator.certKey.revealed)" : "\(evaluator.userName.masked) \(evaluator.certKey.masked)"
            }
            return [
                entry.evaluationId.description,
                ShanghaiTime.format(entry.assessedAt),
                "\(entry.rating.rawValue) \(entry.rating.chineseName)",
                entry.hallCode ?? "-",
                entry.windowCode,
                entry.staff.isEmpty ? "-" : entry.staff.map { "\($0.loginName)(\($0.name))" }.joined(separator: ","),
                entry.projectNo ?? "-",
                entry.deliveryState ?? "unknown",
                entry.deadline.description,
                entry.deadline < today ? "yes" : "no",
                entry.callBackNeeded ? "yes" : "no",
                evaluator ?? "-",
                entry.evalDetail.map { $0.map(reason).joined(separator: ", ") } ?? "-",
            ]
        }
    }
}
