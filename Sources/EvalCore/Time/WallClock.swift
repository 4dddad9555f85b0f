import Foundation

/// The wall clock, injected wherever a decision depends on the calendar
/// (default ratings, retention, assessTime) so tests can move time by hand.
/// Durations and timeouts use Swift's `Clock` instead.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
