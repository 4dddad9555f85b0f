import EvalCore
import Foundation

/// A record as received, every field optional so that a missing field is a
/// per-record rejection rather than a 400 for the whole batch. A field of the
/// wrong JSON type makes the batch undecodable: 400.
struct ReceivedRecord: Codable, Sendable {
    var evaluationId: String?
    var satisfaction: Int?
    var evaluationType: Int?
    var assessTime: String?
    var assessNumber: Int?
    var pf: Int?
    var areaCode: String?
    var deptCode: String?
    var deptName: String?
    var hallCode: String?
    var windowCode: String?
    var deviceId: String?
    var projectNo: String?
    var taskCode: String?
    var taskName: String?
    var evaluatedPersonInfo: [Person]?
    var anonymityFlag: Int?
    var userName: String?
    var certKey: String?
    var userProp: Int?
    // National fields (issue 26): carried when a definition sends them, kept in the store.
    var evalDetail, writingEvaluation, version, evaversion, serviceNumber, taskType, promisetime: String?
    var handleUserName, handleUserPageType, handleUserPageCode, userPageType, mobile, applyTime, dataSource: String?

    struct Person: Codable, Sendable {
        var loginName: String
        var name: String
    }

    /// The value of a field as text, for `rejectField` faults.
    func text(of field: String) -> String? {
        switch field {
        case "evaluationId": evaluationId
        case "satisfaction": satisfaction.map(String.init)
        case "evaluationType": evaluationType.map(String.init)
        case "assessTime": assessTime
        case "assessNumber": assessNumber.map(String.init)
        case "pf": pf.map(String.init)
        case "areaCode": areaCode
        case "deptCode": deptCode
        case "hallCode": hallCode
        case "windowCode": windowCode
        case "deviceId": deviceId
        case "projectNo": projectNo
        case "taskCode": taskCode
        case "anonymityFlag": anonymityFlag.map(String.init)
        default: nil
        }
    }
}

/// The `evald-json/1` field rules; returns the rejection reason or nil.
enum RecordValidator {
    static func problem(with r: ReceivedRecord) -> String? {
        guard let id = r.evaluationId else { return "evaluationId is required" }
        guard UUID(uuidString: id) != nil else { return "evaluationId is not a UUID" }
        guard let satisfaction = r.satisfaction else { return "satisfaction is required" }
        guard (1...5).contains(satisfaction) else { return "satisfaction must be 1–5" }
        guard let type = r.evaluationType else { return "evaluationType is required" }
        guard type == 1 || type == 2 else { return "evaluationType must be 1 or 2" }
        guard let assessTime = r.assessTime else { return "assessTime is required" }
        guard ShanghaiTime.parse(assessTime) != nil else { return "assessTime must be yyyy-MM-dd HH:mm:ss" }
        guard let number = r.assessNumber else { return "assessNumber is required" }
        guard number == 1 || number == 2 else { return "assessNumber must be 1 or 2" }
        guard let pf = r.pf else { return "pf is required" }
        guard (1...9).contains(pf) else { return "pf must be 1–9" }
        guard let area = r.areaCode else { return "areaCode is required" }
        guard (6...12).contains(area.count), area.allSatisfy(\.isASCIIDigit) else { return "areaCode must be 6–12 digits" }
        if let dept = r.deptCode {
            guard dept.count == 18, dept.allSatisfy({ $0.isASCIIDigit || ("A"..."Z").contains($0) }) else {
                return "deptCode must be an 18-character unified social credit code"
            }
        }
        guard let window = r.windowCode, !window.isEmpty else { return "windowCode is required" }
        guard let device = r.deviceId, !device.isEmpty else { return "deviceId is required" }
        if let flag = r.anonymityFlag {
            guard flag == 1 || flag == 2 else { return "anonymityFlag must be 1 or 2" }
            if flag == 2 {
                guard let name = r.userName, !name.isEmpty, let cert = r.certKey, !cert.isEmpty else {
                    return "a real-name evaluation (anonymityFlag 2) needs userName and certKey"
                }
            }
        }
        if let prop = r.userProp, prop != 1 && prop != 2 { return "userProp must be 1 or 2" }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
