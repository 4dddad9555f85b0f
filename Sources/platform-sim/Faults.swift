import Foundation

/// Misbehaviour injected on purpose, set at start (flags) or at run time
/// (`POST /faults` with this JSON). Rates are probabilities per request
/// (per record for `rejectRate`); absent keys mean "no such fault".
struct Faults: Codable, Sendable {
    /// Status code → probability, e.g. `{"500": 0.2, "503": 0.1}`.
    var errorRates: [String: Double] = [:]
    /// Added before answering each request.
    var latencyMs: Int = 0
    /// Close the connection without an answer *after* storing the batch
    /// (the hardest case for a client: it must resend, and get `duplicate`).
    var dropRate: Double = 0
    /// Answer 429 with `Retry-After: retryAfterSeconds`.
    var throttleRate: Double = 0
    var retryAfterSeconds: Int? = 1
    /// Reject this fraction of otherwise valid records.
    var rejectRate: Double = 0
    /// Reject records whose `rejectField` equals `rejectValue` (as text).
    var rejectField: String?
    var rejectValue: String?
    /// Store the batch, then answer 200 with a body that is not a result list.
    var garbageRate: Double = 0
    /// Draw the faults from this seed (request n from the n-th generator
    /// after it), so a test's run of faults replays exactly; absent: random.
    var seed: UInt64?

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errorRates = try c.decodeIfPresent([String: Double].self, forKey: .errorRates) ?? [:]
        latencyMs = try c.decodeIfPresent(Int.self, forKey: .latencyMs) ?? 0
        dropRate = try c.decodeIfPresent(Double.self, forKey: .dropRate) ?? 0
        throttleRate = try c.decodeIfPresent(Double.self, forKey: .throttleRate) ?? 0
        retryAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? 1
        rejectRate = try c.decodeIfPresent(Double.self, forKey: .rejectRate) ?? 0
        rejectField = try c.decodeIfPresent(String.self, forKey: .rejectField)
        rejectValue = try c.decodeIfPresent(String.self, forKey: .rejectValue)
        garbageRate = try c.decodeIfPresent(Double.self, forKey: .garbageRate) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }

    /// The injected error status for this request, if any.
    func drawErrorStatus(using generator: inout some RandomNumberGenerator) -> Int? {
        for (code, rate) in errorRates.sorted(by: { $0.key < $1.key }) where Self.draw(rate, &generator) {
            if let status = Int(code) { return status }
        }
        return nil
    }

    static func draw(_ rate: Double, _ generator: inout some RandomNumberGenerator) -> Bool {
        rate > 0 && Double.random(in: 0..<1, using: &generator) < rate
    }
}
