import EvalCore

/// A value evald can put into a record: what a definition's `from` names.
public enum FieldValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    /// `evaluatedPersonInfo`: the staff evaluated.
    case persons([EvaldJSONWire.Person])
}

/// Every record key evald can send, by its evald (camelCase) name: the
/// `evald-json/1` fields, then the national fields of issue 26. A definition
/// maps a platform's field name to one of these (`"from"`); a key with no
/// value in a record (an absent optional field) is not sent.
public enum SourceField: String, Sendable, CaseIterable {
    // evald-json/1 (shared DOMAIN.md)
    case evaluationId, satisfaction, evaluationType, assessTime, assessNumber, pf
    case areaCode, deptCode, deptName, hallCode, windowCode, deviceId
    case projectNo, taskCode, taskName, evaluatedPersonInfo, anonymityFlag
    case userName, certKey, userProp
    // National v2 fields (issue 26 item 2): optional evaluation columns.
    case evalDetail, writingEvaluation, version, evaversion, serviceNumber, taskType, promisetime
    case handleUserName, handleUserPageType, handleUserPageCode, userPageType, mobile, applyTime, dataSource

    public enum Kind: Sendable { case string, int, persons }

    /// How the value is typed in evald (what platform-sim converts a received value back to).
    public var kind: Kind {
        switch self {
        case .satisfaction, .evaluationType, .assessNumber, .pf, .anonymityFlag, .userProp: .int
        case .evaluatedPersonInfo: .persons
        default: .string
        }
    }

    /// Fields holding a date-time in evald's `yyyy-MM-dd HH:mm:ss` (Asia/Shanghai) form, which `dateFormat` may reshape.
    public var isDateTime: Bool { self == .assessTime || self == .applyTime }

    /// This field's value in one `evald-json/1` record, nil when absent.
    ///
    /// The national fields read the wire record's optional properties of the
    /// same name: absent unless the evaluation carries them.
    public func value(in r: EvaldJSONWire.Record) -> FieldValue? {
        switch self {
        case .evaluationId: .string(r.evaluationId)
        case .satisfaction: .int(r.satisfaction)
        case .evaluationType: .int(r.evaluationType)
        case .assessTime: .string(r.assessTime)
        case .assessNumber: .int(r.assessNumber)
        case .pf: .int(r.pf)
        case .areaCode: .string(r.areaCode)
        case .deptCode: r.deptCode.map(FieldValue.string)
        case .deptName: r.deptName.map(FieldValue.string)
        case .hallCode: r.hallCode.map(FieldValue.string)
        case .windowCode: .string(r.windowCode)
        case .deviceId: .string(r.deviceId)
        case .projectNo: r.projectNo.map(FieldValue.string)
        case .taskCode: r.taskCode.map(FieldValue.string)
        case .taskName: r.taskName.map(FieldValue.string)
        case .evaluatedPersonInfo: r.evaluatedPersonInfo.map(FieldValue.persons)
        case .anonymityFlag: .int(r.anonymityFlag)
        case .userName: r.userName.map(FieldValue.string)
        case .certKey: r.certKey.map(FieldValue.string)
        case .userProp: r.userProp.map(FieldValue.int)
        case .evalDetail: r.evalDetail.map(FieldValue.string)
        case .writingEvaluation: r.writingEvaluation.map(FieldValue.string)
        case .version: r.version.map(FieldValue.string)
        case .evaversion: r.evaversion.map(FieldValue.string)
        case .serviceNumber: r.serviceNumber.map(FieldValue.string)
        case .taskType: r.taskType.map(FieldValue.string)
        case .promisetime: r.promisetime.map(FieldValue.string)
        case .handleUserName: r.handleUserName.map(FieldValue.string)
        case .handleUserPageType: r.handleUserPageType.map(FieldValue.string)
        case .handleUserPageCode: r.handleUserPageCode.map(FieldValue.string)
        case .userPageType: r.userPageType.map(FieldValue.string)
        case .mobile: r.mobile.map(FieldValue.string)
        case .applyTime: r.applyTime.map(FieldValue.string)
        case .dataSource: r.dataSource.map(FieldValue.string)
        }
    }
}
