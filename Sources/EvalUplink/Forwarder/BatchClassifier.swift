import EvalCore
import EvalPlatform
import Foundation

/// What to do after one request: the pure decision at the heart of the
/// forwarder, tested without I/O.
public enum BatchPlan: Sendable, Hashable {
    /// Settle these outcomes now.
    case settle([DeliveryOutcome], link: LinkEffect)
    /// Send the halves separately (413, or 400 to isolate the bad record).
    case split([[EvaluationID]])
}

/// How one answer changes the link state.
public enum LinkEffect: Sendable, Hashable {
    /// The platform processed a batch: failures reset, auth is fine.
    case healthy
    /// The link is failing; back off (until `notBefore`), `authFailing` for 401.
    case failing(reason: String, notBefore: Date, authFailing: Bool)
}

public struct BatchClassifier: Sendable {
    public var policy: RetryPolicy

    public init(policy: RetryPolicy) { self.policy = policy }

    /// - Parameters:
    ///   - batch: the ids sent, in order.
    ///   - failures: consecutive failed requests on the link *including* this one if it failed.
    public func plan(
        for verdict: BatchVerdict,
        batch: [EvaluationID],
        failures: Int,
        now: Date,
        using generator: inout some RandomNumberGenerator
    ) -> BatchPlan {
        func retryAll(_ reason: String, _ kind: DeliveryFailureReason, retryAfter: TimeInterval? = nil, auth: Bool = false) -> BatchPlan {
            let notBefore = now + policy.delay(failures: failures, retryAfter: retryAfter, using: &generator)
            return .settle(batch.map { .retry($0, error: reason, notBefore: notBefore, reason: kind) },
                           link: .failing(reason: reason, notBefore: notBefore, authFailing: auth))
        }

        switch verdict {
        case .perRecord(let verdicts):
            let outcomes: [DeliveryOutcome] = verdicts.map {
                switch $0 {
                case .delivered(let id): .delivered(id)
                case .rejected(let id, let reason): .rejected(id, reason: "platform rejected: \(reason)")
                }
            }
            return .settle(outcomes, link: .healthy)

        case .failure(.unauthorized(let reason, _)):
            return retryAll("401 platform refuses our credentials or timestamp: \(reason)", .unauthorized, auth: true)

        case .failure(.malformedBatch(let reason)):
            // Bisect: the platform says the batch is malformed but not which record;
            // halves isolate it in log2(n) requests while the good ones go through.
            // A single record the platform calls malformed is dead-lettered with the
            // platform's reason: retrying it unchanged can only fail again.
            if batch.count > 1 { return .split(Self.halves(batch)) }
            return .settle([.rejected(batch[0], reason: "platform answered 400 for this record alone: \(reason)")], link: .healthy)

        case .failure(.tooLarge):
            if batch.count > 1 { return .split(Self.halves(batch)) }
            return .settle([.rejected(batch[0], reason: "platform answered 413 for this record alone (too large)")], link: .healthy)

        case .failure(.throttled(let status, let retryAfter)):
            return retryAll("\(status) platform busy" + (retryAfter.map { ", Retry-After \(Int($0)) s" } ?? ""), .throttled, retryAfter: retryAfter)

        case .failure(.serverError(let status)):
            return retryAll("platform answered \(status)", .serverError)

        case .failure(.untrustworthy(let reason)):
            return retryAll("untrusted answer: \(reason)", .untrustworthy)

        case .failure(.transport(let reason)):
            return retryAll("no answer: \(reason)", .transport)
        }
    }

    static func halves(_ batch: [EvaluationID]) -> [[EvaluationID]] {
        let middle = batch.count / 2
        return [Array(batch[..<middle]), Array(batch[middle...])]
    }
}
