import EvalCore
import EvalQueue
import Foundation

/// How a queued record is shown: a table row, or a JSON object (personal
/// data masked unless revealed).
enum RecordPresentation {
    /// Bilingual headings, "中文 english" as every evalctl table.
    static let header = ["编号 id", "状态 state", "评价 rating", "窗口 window", "评价时间 assessTime", "办件 case", "次数 attempts", "原因 reason"]
    /// Left out first at 80 columns: the reason, the attempts, the case.
    static let optional = [7, 6, 5]

    /// The last 12 digits of the UUIDv7, its random part: unique in
    /// practice, and accepted wherever an evaluationId is (`EvaluationIdArgument`).
    static func shortId(_ id: EvaluationID) -> String { String(id.description.suffix(12)) }

    static func row(_ r: QueuedRecord, wide: Bool) -> [String] {
        let e = r.evaluation
        let rating = "\(e.satisfaction.chineseName)(\(e.satisfaction.rawValue))\(e.evaluationType == .defaulted ? " 默认" : "")"
        return [
            wide ? e.evaluationId.description : shortId(e.evaluationId), r.state.rawValue, rating,
            "\(e.hallCode.map { "\($0)/" } ?? "")\(e.windowCode)", e.assessTime, e.projectNo ?? "-", String(r.attempts),
            String((r.rejectedReason ?? r.lastError ?? "-").prefix(60)),
        ]
    }

    /// The evaluator as `--json` shows it (masked unless revealed), null when there is none.
    static func evaluatorObject(_ person: Evaluator?, reveal: Bool) -> Any {
        guard let person else { return NSNull() }
        return [
            "userName": reveal ? person.userName.revealed : person.userName.masked,
            "certKey": reveal ? person.certKey.revealed : person.certKey.masked,
            "userProp": person.userProp.rawValue,
        ] as [String: Any]
    }

    static func object(_ r: QueuedRecord, reveal: Bool = false) -> [String: Any] {
        let e = r.evaluation
        let evaluator = evaluatorObject(e.evaluator, reveal: reveal)
        var object: [String: Any] = [
            "evaluationId": e.evaluationId.description,
            "state": r.state.rawValue,
            "satisfaction": e.satisfaction.rawValue,
            "satisfactionName": e.satisfaction.chineseName,
            "badReview": e.isBadReview,
            "evaluationType": e.evaluationType.rawValue,
            "assessNumber": e.assessNumber.rawValue,
            "assessTime": e.assessTime,
            "assessedAt": Output.isoTime(e.assessedAt),
            "pf": e.pf.rawValue,
            "areaCode": e.areaCode,
            "deptCode": e.deptCode ?? NSNull(),
            "deptName": e.deptName ?? NSNull(),
            "hallCode": e.hallCode ?? NSNull(),
            "windowCode": e.windowCode,
            "deviceId": e.deviceId,
            "projectNo": e.projectNo ?? NSNull(),
            "taskCode": e.taskCode ?? NSNull(),
            "taskName": e.taskName ?? NSNull(),
            "evaluatedPersons": e.evaluatedPersons.map { ["loginName": $0.loginName, "name": $0.name] },
            "anonymityFlag": e.anonymityFlag.rawValue,
            "evaluator": evaluator,
            "attempts": r.attempts,
            "lastError": r.lastError ?? NSNull(),
            "rejectedReason": r.rejectedReason ?? NSNull(),
            "enqueuedAt": Output.isoTime(r.enqueuedAt),
            "nextAttemptAt": r.state == .pending ? Output.isoTime(r.nextAttemptAt) : NSNull(),
            "deliveredAt": Output.isoTime(r.deliveredAt),
            "rejectedAt": Output.isoTime(r.rejectedAt),
            "personalDataPurgedAt": Output.isoTime(r.personalDataPurgedAt),
        ]
        object.merge(nationalObject(e, reveal: reveal)) { _, new in new }
        return object
    }

    /// Reasons and the national fields (issue 26), null when unset; personal
    /// ones (`writingEvaluation`, `handleUser*`, `mobile`) masked unless revealed.
    static func nationalObject(_ e: Evaluation, reveal: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "evalDetail": e.evalDetail.map(ReasonCatalog.format) ?? NSNull(),
            "writingEvaluation": e.writingEvaluation.map { reveal ? $0.revealed : $0.masked } ?? NSNull(),
        ]
        let national = e.national ?? NationalFields()
        for field in NationalField.allCases {
            object[field.rawValue] = national[field].map { field.isPersonal && !reveal ? Masking.mask($0) : $0 } ?? NSNull()
        }
        return object
    }
}
