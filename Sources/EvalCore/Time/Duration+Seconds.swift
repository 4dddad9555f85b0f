import Foundation

extension Duration {
    /// The duration in seconds, as `TimeInterval` (sleeps, rates, `Date` arithmetic).
    public var seconds: TimeInterval {
        let (whole, atto) = components
        return TimeInterval(whole) + TimeInterval(atto) / 1e18
    }
}
