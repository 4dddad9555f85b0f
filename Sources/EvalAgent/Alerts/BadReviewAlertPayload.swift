import EvalCore

/// What the alert command reads on stdin: the evaluation in platform field
/// names, plus the rectification deadline and call-back need. Identity is
/// masked unless the configuration asks for clear text.
struct BadReviewAlertPayload: Encodable {
    /// Which alert this is: `bad-review` (see `DeadlineAlertPayload` for the others).
    var event = "bad-review"
    var evaluationId: String
    var satisfaction: Int
    var satisfactionName: String
    var assessTime: String
    var areaCode: String
    var deptCode: String?
    var deptName: String?
    var hallCode: String?
    var windowCode: String
    var deviceId: String
    var projectNo: String?
    var taskCode: String?
    var taskName: String?
    var evaluatedPersonInfo: [StaffMember]
    var anonymityFlag: Int
    var userName: String?
    var certKey: String?
    var userProp: Int?
    var personalDataMasked: Bool
    var rectificationDeadline: String
    var callBackNeeded: Bool

    init(_ evaluation: Evaluation, deadline: CivilDate, includePersonalData: Bool) {
        evaluationId = evaluation.evaluationId.description
        satisfaction = evaluation.satisfaction.rawValue
        satisfactionName = evaluation.satisfaction.chineseName
        assessTime = evaluation.assessTime
        areaCode = evaluation.areaCode
        deptCode = evaluation.deptCode
        deptName = evaluation.deptName
        hallCode = evaluation.hallCode
        windowCode = evaluation.windowCode
        deviceId = evaluation.deviceId
        projectNo = evaluation.projectNo
        taskCode = evaluation.taskCode
        taskName = evaluation.taskName
        evaluatedPersonInfo = evaluation.evaluatedPersons
        anonymityFlag = evaluation.anonymityFlag.rawValue
        if let evaluator = evaluation.evaluator {
            userName = includePersonalData ? evaluator.userName.revealed : evaluator.userName.masked
            certKey = includePersonalData ? evaluator.certKey.revealed : evaluator.certKey.masked
            userProp = evaluator.userProp.rawValue
        }
        personalDataMasked = !includePersonalData
        rectificationDeadline = deadline.description
        callBackNeeded = BadReviewPolicy.needsCallBack(evaluation)
    }
}

/// What the alert command reads for a rectification deadline that is near or
/// has passed: no personal data at all (the review is identified by its id,
/// window and staff login; `evalctl bad-reviews show ID` has the rest).
struct DeadlineAlertPayload: Encodable {
    /// `rectification-deadline-near` or `rectification-deadline-passed`.
    var event: String
    var evaluationId: String
    var windowCode: String
    var staffLogin: String?
    var ratedOn: String
    var rectificationDeadline: String
    /// Working days to the deadline: 0 on it, negative once past.
    var workingDaysLeft: Int
    var stage: String

    init(_ alert: DeadlineAlert, windowCode: String, staffLogin: String?, followUp: BadReviewFollowUp) {
        event = alert.kind.rawValue
        evaluationId = alert.evaluationId.description
        self.windowCode = windowCode
        self.staffLogin = staffLogin
        ratedOn = followUp.review.ratedOn.description
        rectificationDeadline = alert.deadline.description
        workingDaysLeft = alert.workingDaysLeft
        stage = followUp.stage.rawValue
    }
}
