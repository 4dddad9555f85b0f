import Foundation

/// One evaluation, with every field of GB/T 39046-2020 §6.6 that the platform
/// receives (see shared DOMAIN.md, "Data fields of one evaluation").
///
/// The instant is kept in UTC (`assessedAt`); `assessTime` renders it in the
/// platform's `yyyy-MM-dd HH:mm:ss` Asia/Shanghai form.
public struct Evaluation: Hashable, Sendable, Codable {
    public var evaluationId: EvaluationID
    public var satisfaction: Rating
    public var evaluationType: EvaluationType
    public var assessedAt: Date
    public var assessNumber: AssessNumber
    public var pf: Channel
    public var areaCode: String
    public var deptCode: String?
    public var deptName: String?
    public var hallCode: String?
    public var windowCode: String
    public var deviceId: String
    public var projectNo: String?
    public var taskCode: String?
    public var taskName: String?
    public var evaluatedPersons: [StaffMember]
    /// Present only for real-name ratings; its description is masked.
    public var evaluator: Evaluator?
    /// The boot and boottime instant the time came from, and whether the
    /// clock was trusted then; never sent. Nil for default ratings (dated by
    /// the calendar) and records from before this field existed.
    public var recordedTime: RecordedTime?
    /// `evalDetail`: the reason codes, checked against the level
    /// (`ReasonCatalog`); nil when none was given.
    public var evalDetail: [Int]?
    /// `writingEvaluation`: the citizen's own words. Personal data: masked
    /// when shown, purged with the evaluator's identity.
    public var writingEvaluation: PersonalData?
    /// The national optional fields (`version`, `mobile`, …); nil when none is set.
    public var national: NationalFields?
    /// Never sent: until when the queue holds the record back for its
    /// reasons (the counter API's detail window). The record is stored at the
    /// press; the hold is only its first due time, so a crash loses nothing.
    public var heldUntil: Date?

    public init(
        evaluationId: EvaluationID = .make(),
        satisfaction: Rating,
        evaluationType: EvaluationType = .active,
        assessedAt: Date,
        assessNumber: AssessNumber = .first,
        pf: Channel = .otherHallTerminal,
        areaCode: String,
        deptCode: String? = nil,
        deptName: String? = nil,
        hallCode: String? = nil,
        windowCode: String,
        deviceId: String,
        projectNo: String? = nil,
        taskCode: String? = nil,
        taskName: String? = nil,
        evaluatedPersons: [StaffMember] = [],
        evaluator: Evaluator? = nil,
        recordedTime: RecordedTime? = nil,
        evalDetail: [Int]? = nil,
        writingEvaluation: PersonalData? = nil,
        national: NationalFields? = nil,
        heldUntil: Date? = nil
    ) {
        self.evaluationId = evaluationId
        self.satisfaction = satisfaction
        self.evaluationType = evaluationType
        self.assessedAt = assessedAt
        self.assessNumber = assessNumber
        self.pf = pf
        self.areaCode = areaCode
        self.deptCode = deptCode
        self.deptName = deptName
        self.hallCode = hallCode
        self.windowCode = windowCode
        self.deviceId = deviceId
        self.projectNo = projectNo
        self.taskCode = taskCode
        self.taskName = taskName
        self.evaluatedPersons = evaluatedPersons
        self.evaluator = evaluator
        self.recordedTime = recordedTime
        self.evalDetail = evalDetail
        self.writingEvaluation = writingEvaluation
        self.national = national.flatMap { $0.isEmpty ? nil : $0 }
        self.heldUntil = heldUntil
    }

    public var anonymityFlag: AnonymityFlag { evaluator == nil ? .anonymous : .realName }
    public var isBadReview: Bool { satisfaction.isBadReview }

    /// `assessTime` as the platform wants it: local Asia/Shanghai wall time.
    public var assessTime: String { ShanghaiTime.format(assessedAt) }

    /// Whether anything purged as personal data is present: the evaluator,
    /// the citizen's words, the agent's identity or the call-back number.
    public var hasPersonalData: Bool {
        evaluator != nil || writingEvaluation != nil || national?.hasPersonalData == true
    }

    /// The same evaluation with identity removed: what is kept once personal-data
    /// retention has passed.
    public var withoutPersonalData: Evaluation {
        var copy = self
        copy.evaluator = nil
        copy.writingEvaluation = nil
        copy.national = national.flatMap { $0.withoutPersonalData.isEmpty ? nil : $0.withoutPersonalData }
        return copy
    }
}

extension Evaluation: CustomStringConvertible {
    /// Safe for logs: no personal data, only what an operator needs.
    public var description: String {
        var parts = ["\(evaluationId)", "\(satisfaction.chineseName)(\(satisfaction.rawValue))", "window=\(windowCode)"]
        if evaluationType == .defaulted { parts.append("default") }
        if let projectNo { parts.append("case=\(projectNo)") }
        if let evaluator { parts.append("realName=\(evaluator.userName.masked)") }
        if let evalDetail { parts.append("evalDetail=\(ReasonCatalog.format(evalDetail))") }
        if writingEvaluation != nil { parts.append("writingEvaluation=(masked)") }
        if let national { parts.append(national.maskedDescription) }
        return "Evaluation(" + parts.joined(separator: " ") + ")"
    }
}
