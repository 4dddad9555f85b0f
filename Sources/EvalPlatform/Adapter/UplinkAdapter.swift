import EvalCore
import Foundation

/// One HTTP request an adapter wants sent: everything but the base URL.
public struct UplinkRequest: Sendable, Hashable {
    /// The path appended to the base URL's path, e.g. `/evaluations`.
    public var relativePath: String
    public var headers: [HeaderField]
    public var body: [UInt8]

    public init(relativePath: String, headers: [HeaderField], body: [UInt8]) {
        self.relativePath = relativePath
        self.headers = headers
        self.body = body
    }
}

public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What came back over HTTP, before anyone decided whether to trust it.
public struct UplinkResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [HeaderField]
    public var body: [UInt8]

    public init(status: Int, headers: [HeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Case-insensitive header lookup (HTTP field names are).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// The platform's verdict on one record of a batch it accepted for processing.
public enum RecordVerdict: Sendable, Hashable {
    /// `accepted` or `duplicate`: the platform has it.
    case delivered(EvaluationID)
    /// `rejected`: final for this record.
    case rejected(EvaluationID, reason: String)
}

/// Why a whole batch was not processed. None of these is the records' fault
/// except, after bisection down to one record, `malformedBatch`/`tooLarge`.
public enum BatchFailure: Sendable, Hashable {
    /// 401: key, signature or timestamp refused. `platformDate` is the
    /// platform's `Date` header, used to correct our timestamp if our clock is off.
    case unauthorized(reason: String, platformDate: Date?)
    /// 400: the platform could not parse or validate the batch.
    case malformedBatch(reason: String)
    /// 413: too many records or bytes.
    case tooLarge
    /// 429/503: the platform asks us to slow down, optionally for how long.
    case throttled(status: Int, retryAfter: TimeInterval?)
    /// Any other non-200 status.
    case serverError(status: Int)
    /// A 200 whose body we cannot trust (not JSON, wrong length, unknown ids…).
    case untrustworthy(reason: String)
    /// No HTTP answer at all: connect/read timeout, reset, TLS failure.
    case transport(reason: String)
}

public enum BatchVerdict: Sendable, Hashable {
    /// One verdict per record of the batch, matched by id.
    case perRecord([RecordVerdict])
    case failure(BatchFailure)
}

/// A platform dialect. The forwarder knows nothing of JSON, forms or SM2:
/// it hands a batch to the adapter and gets a request back, then hands the
/// response back and gets a verdict. Adapters are pure (no I/O), and take the
/// request timestamp and nonce as arguments so tests can pin them.
public protocol UplinkAdapter: Sendable {
    /// Protocol name as written in the configuration (`adapter = "evald-json/1"`).
    var name: String { get }

    /// The request for one batch of 1–`maxBatchSize` evaluations.
    func encode(_ evaluations: [Evaluation], basePath: String, timestampMillis: Int64, nonce: String) throws -> UplinkRequest

    /// A signed request the platform answers without storing anything (in
    /// evald-json/1 an empty batch, answered 400), sent only for the `Date`
    /// header of its answer: the platform's time, when ours is in doubt.
    func clockProbe(basePath: String, timestampMillis: Int64, nonce: String) -> UplinkRequest

    /// Classifies the response to a batch whose ids, in order, were `batch`.
    func decode(_ response: UplinkResponse, batch: [EvaluationID]) -> BatchVerdict
}
