import EvalCore

/// A token bucket per key against a flood of writes (a stuck button in the
/// business system, a script in a loop, a hostile page): `burst` at once,
/// then `perSecond`. The counter API keeps one for opens and one for the
/// other mutating routes (cancel, staff login and logout), each per window.
/// Pure: the caller passes the instant.
public struct RateLimiter<Key: Hashable, Instant: InstantProtocol> where Instant.Duration == Duration {
    public let perSecond: Double
    public let burst: Double
    private var buckets: [Key: (tokens: Double, at: Instant)] = [:]

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(max(1, burst))
    }

    /// nil: admitted (one token taken). Otherwise how long until the next token.
    public mutating func admit(_ key: Key, at now: Instant) -> Duration? {
        var bucket = buckets[key] ?? (burst, now)
        let elapsed = bucket.at.duration(to: now)
        bucket.tokens = min(burst, bucket.tokens + max(0, elapsed.seconds) * perSecond)
        bucket.at = now
        defer { buckets[key] = bucket }
        guard bucket.tokens >= 1 else {
            let wait = perSecond > 0 ? (1 - bucket.tokens) / perSecond : 60
            return .milliseconds(Int((wait * 1000).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }

    /// Whole seconds to tell a refused client (`Retry-After`), at least 1.
    public static func retryAfterSeconds(_ wait: Duration) -> Int {
        max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
    }
}
