import EvalCore

/// The `evald-json/1` wire format (shared DOMAIN.md, "Reference platform
/// protocol"). Optional properties are nil when absent, and the synthesized
/// `Encodable` omits nil keys, so absent optional fields never appear.
public enum EvaldJSONWire {
    public struct Batch: Codable, Sendable {
        public var evaluations: [Record]
        public init(evaluations: [Record]) { self.evaluations = evaluations }
    }

    public struct Record: Codable, Sendable, Hashable {
        public var evaluationId: String
        public var satisfaction: Int
        public var evaluationType: Int
        public var assessTime: String
        public var assessNumber: Int
        public var pf: Int
        public var areaCode: String
        public var deptCode: String?
        public var deptName: String?
        public var hallCode: String?
        public var windowCode: String
        public var deviceId: String
        public var projectNo: String?
        public var taskCode: String?
        public var taskName: String?
        public var evaluatedPersonInfo: [Person]?
        public var anonymityFlag: Int
        public var userName: String?
        public var certKey: String?
        public var userProp: Int?
        // Reasons and the national field set (issue 26): absent unless set,
        // so a record without them is byte for byte what it was before.
        public var evalDetail: String?
        public var writingEvaluation: String?
        public var version: String?
        public var evaversion: String?
        public var serviceNumber: String?
        public var taskType: String?
        public var promisetime: String?
        public var handleUserName: String?
        public var handleUserPageType: String?
        public var handleUserPageCode: String?
        public var userPageType: String?
        public var mobile: String?
        public var applyTime: String?
        public var dataSource: String?
    }

    public struct Person: Codable, Sendable, Hashable {
        public var loginName: String
        public var name: String
    }

    public struct Results: Codable, Sendable {
        public var results: [Result]
        public init(results: [Result]) { self.results = results }
    }

    public struct Result: Codable, Sendable, Hashable {
        public var evaluationId: String
        public var status: String
        public var reason: String?
        public init(evaluationId: String, status: String, reason: String? = nil) {
            self.evaluationId = evaluationId
            self.status = status
            self.reason = reason
        }
    }
}
