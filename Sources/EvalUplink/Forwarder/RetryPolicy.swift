import Foundation

/// Exponential backoff with full jitter (delay uniform in 0…min(cap, base·2ⁿ)),
/// so a hall full of agents that lost the link together do not come back in
/// lockstep. A platform's `Retry-After` is a floor, never shortened by jitter.
/// Pure: randomness is injected.
public struct RetryPolicy: Sendable, Hashable {
    public var base: TimeInterval
    public var cap: TimeInterval
    /// Upper bound on an honoured `Retry-After`, against a platform bug asking for days.
    public var maxRetryAfter: TimeInterval

    public init(base: TimeInterval = 1, cap: TimeInterval = 300, maxRetryAfter: TimeInterval = 3600) {
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// The ceiling of the jitter window after `failures` consecutive failures (≥ 1).
    public func ceiling(failures: Int) -> TimeInterval {
        let exponent = Double(min(max(failures - 1, 0), 40))
        return min(cap, base * pow(2, exponent))
    }

    public func delay(failures: Int, retryAfter: TimeInterval? = nil, using generator: inout some RandomNumberGenerator) -> TimeInterval {
        let jittered = Double.random(in: 0...ceiling(failures: failures), using: &generator)
        guard let retryAfter else { return jittered }
        return max(min(retryAfter, maxRetryAfter), jittered)
    }
}
