import EvalCore

/// What the alert command reads on stdin: the evaluation in platform field
/// names, plus the rectification deadline and call-back need. Identity is
/// masked unless the configuration asks for clear text.
struct BadReviewAlertPayload: Encodable {
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
