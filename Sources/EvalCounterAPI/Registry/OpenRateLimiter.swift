import EvalCore

/// A token bucket per window against a flood of opens (a stuck button in the
/// business system, a script in a loop): `burst` opens at once, then `perSecond`.
/// Pure: the caller passes the instant.
public struct OpenRateLimiter<Instant: InstantProtocol> where Instant.Duration == Duration {
    public let perSecond: Double
    public let burst: Double
    private var buckets: [String: (tokens: Double, at: Instant)] = [:]

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(max(1, burst))
    }

    /// nil: admitted (one token taken). Otherwise how long until the next token.
    public mutating func admit(_ windowCode: String, at now: Instant) -> Duration? {
        var bucket = buckets[windowCode] ?? (burst, now)
        let elapsed = bucket.at.duration(to: now)
        bucket.tokens = min(burst, bucket.tokens + max(0, elapsed.seconds) * perSecond)
        bucket.at = now
        defer { buckets[windowCode] = bucket }
        guard bucket.tokens >= 1 else {
            let wait = perSecond > 0 ? (1 - bucket.tokens) / perSecond : 60
            return .milliseconds(Int((wait * 1000).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }
}
