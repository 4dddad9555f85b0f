import EvalCore
import Foundation

/// The reference adapter: speaks `evald-json/1` exactly as shared DOMAIN.md
/// defines it, and is what `platform-sim` serves.
public struct EvaldJSONAdapter: UplinkAdapter {
    public struct Settings: Sendable, Hashable {
        public var satisfactionScale: SatisfactionScale
        /// Channel remap for provinces whose 6/7 differ: internal pf → platform pf.
        public var pfMap: [Int: Int]

        public init(satisfactionScale: SatisfactionScale = .fiveIsBest, pfMap: [Int: Int] = [:]) {
            self.satisfactionScale = satisfactionScale
            self.pfMap = pfMap
        }
    }

    public static let protocolName = "evald-json/1"
    public static let maxBatchSize = 100
    public static let endpoint = "/evaluations"

    public let name = EvaldJSONAdapter.protocolName
    public let settings: Settings
    private let signer: RequestSigner

    public init(signer: RequestSigner, settings: Settings = Settings()) {
        self.signer = signer
        self.settings = settings
    }

    // MARK: Encoding

    public func record(for evaluation: Evaluation) -> EvaldJSONWire.Record {
        Self.record(for: evaluation, settings: settings)
    }

    /// The wire record under `settings`; `DefinedAdapter` starts from it too.
    public static func record(for evaluation: Evaluation, settings: Settings) -> EvaldJSONWire.Record {
        let persons = evaluation.evaluatedPersons.map { EvaldJSONWire.Person(loginName: $0.loginName, name: $0.name) }
        // Personal data leaves the process only here, on purpose.
        let evaluator = evaluation.evaluator
        var record = EvaldJSONWire.Record(
            evaluationId: evaluation.evaluationId.description,
            satisfaction: settings.satisfactionScale.code(for: evaluation.satisfaction),
            evaluationType: evaluation.evaluationType.rawValue,
            assessTime: evaluation.assessTime,
            assessNumber: evaluation.assessNumber.rawValue,
            pf: settings.pfMap[evaluation.pf.rawValue] ?? evaluation.pf.rawValue,
            areaCode: evaluation.areaCode,
            deptCode: evaluation.deptCode,
            deptName: evaluation.deptName,
            hallCode: evaluation.hallCode,
            windowCode: evaluation.windowCode,
            deviceId: evaluation.deviceId,
            projectNo: evaluation.projectNo,
            taskCode: evaluation.taskCode,
            taskName: evaluation.taskName,
            evaluatedPersonInfo: persons.isEmpty ? nil : persons,
            anonymityFlag: evaluation.anonymityFlag.rawValue,
            userName: evaluator?.userName.revealed,
            certKey: evaluator?.certKey.revealed,
            userProp: evaluator?.userProp.rawValue
        )
        record.evalDetail = evaluation.evalDetail.map(ReasonCatalog.format)
        record.writingEvaluation = evaluation.writingEvaluation?.revealed
        if let national = evaluation.national {
            record.version = national.version
            record.evaversion = national.evaversion
            record.serviceNumber = national.serviceNumber
            record.taskType = national.taskType
            record.promisetime = national.promisetime
            record.handleUserName = national.handleUserName?.revealed
            record.handleUserPageType = national.handleUserPageType?.revealed
            record.handleUserPageCode = national.handleUserPageCode?.revealed
            record.userPageType = national.userPageType
            record.mobile = national.mobile?.revealed
            record.applyTime = national.applyTime
            record.dataSource = national.dataSource
        }
        return record
    }

    /// The request body: `{"evaluations":[…]}`, keys sorted, nil fields
    /// omitted (what `JSONEncoder` with `.sortedKeys` writes, without its cost).
    public func body(for evaluations: [Evaluation]) throws -> [UInt8] {
        EvaldJSONWriter.batch(evaluations.map(record(for:)))
    }

    public func encode(_ evaluations: [Evaluation], basePath: String, timestampMillis: Int64, nonce: String) throws -> UplinkRequest {
        precondition((1...Self.maxBatchSize).contains(evaluations.count), "evald-json/1 batches hold 1–100 records")
        let body = try body(for: evaluations)
        let path = Self.joinPath(basePath, Self.endpoint)
        var headers = [HeaderField("Content-Type", "application/json")]
        headers += signer.headers(method: "POST", path: path, timestampMillis: timestampMillis, nonce: nonce, body: body)
        return UplinkRequest(relativePath: Self.endpoint, headers: headers, body: body)
    }

    public func clockProbe(basePath: String, timestampMillis: Int64, nonce: String) -> UplinkRequest {
        let body = Array(#"{"evaluations":[]}"#.utf8)
        let path = Self.joinPath(basePath, Self.endpoint)
        var headers = [HeaderField("Content-Type", "application/json")]
        headers += signer.headers(method: "POST", path: path, timestampMillis: timestampMillis, nonce: nonce, body: body)
        return UplinkRequest(relativePath: Self.endpoint, headers: headers, body: body)
    }

    /// `/api/v1` + `/evaluations`, tolerating a trailing slash in the base.
    public static func joinPath(_ base: String, _ tail: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + tail
    }

    // MARK: Decoding

    public func decode(_ response: UplinkResponse, batch: [EvaluationID]) -> BatchVerdict {
        switch response.status {
        case 200:
            return decodeResults(response.body, batch: batch)
        case 401:
            let date = response.header("Date").flatMap(HTTPDate.parse)
            return .failure(.unauthorized(reason: Self.snippet(response.body), platformDate: date))
        case 400:
            return .failure(.malformedBatch(reason: Self.snippet(response.body)))
        case 413:
            return .failure(.tooLarge)
        case 429, 503:
            return .failure(.throttled(status: response.status, retryAfter: response.header("Retry-After").flatMap(Self.retryAfterSeconds)))
        default:
            return .failure(.serverError(status: response.status))
        }
    }

    /// A 200 is trusted only if it accounts for every record of the batch exactly
    /// once and for nothing else; anything less is retried (the platform turns
    /// repeats into `duplicate`, so retrying is always safe, trusting never is).
    private func decodeResults(_ body: [UInt8], batch: [EvaluationID]) -> BatchVerdict {
        guard let decoded = try? JSONDecoder().decode(EvaldJSONWire.Results.self, from: Data(body)) else {
            return .failure(.untrustworthy(reason: "200 with an unparseable body: \(Self.snippet(body))"))
        }
        guard decoded.results.count == batch.count else {
            return .failure(.untrustworthy(reason: "200 with \(decoded.results.count) results for \(batch.count) records"))
        }
        var expected = Set(batch)
        var verdicts: [RecordVerdict] = []
        verdicts.reserveCapacity(batch.count)
        for result in decoded.results {
            guard let id = EvaluationID(result.evaluationId), expected.remove(id) != nil else {
                return .failure(.untrustworthy(reason: "200 naming an unknown or repeated evaluationId \(result.evaluationId.prefix(40))"))
            }
            switch result.status {
            case "accepted", "duplicate":
                verdicts.append(.delivered(id))
            case "rejected":
                verdicts.append(.rejected(id, reason: result.reason ?? "rejected without a reason"))
            default:
                return .failure(.untrustworthy(reason: "200 with unknown status \(result.status.prefix(40))"))
            }
        }
        return .perRecord(verdicts)
    }

    /// `Retry-After` as delta-seconds or an HTTP date, relative to now.
    static func retryAfterSeconds(_ value: String) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        if let date = HTTPDate.parse(trimmed) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }

    /// A short, printable excerpt of a body for logs and dead-letter reasons.
    static func snippet(_ body: [UInt8], limit: Int = 200) -> String {
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
        let cleaned = String(text.map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? " " : $0 })
        return body.count > limit ? cleaned + "…" : cleaned
    }
}
