import Foundation

/// The filtering and expiry settings of a counter session (rule 2).
public struct SessionPolicy: Hashable, Sendable {
    /// Presses closer than this to the previous accepted press are contact
    /// bounce (`bounce`). Keypads bounce for a few milliseconds; a human cannot
    /// press twice within 50 ms.
    public var debounce: Duration
    /// On an anonymous counter (no case), a press sooner than this after the
    /// previous evaluation is not a new citizen (`tooFast`).
    public var anonymousMinimumInterval: Duration
    /// After a case is rated it stays attached this long, so a second press by
    /// the same citizen is a `repeat` rather than an anonymous rating.
    public var ratedCaseHold: Duration
    /// A citizen identity that arrives with no case to be rated waits this
    /// long for the next case to be opened (or, at a counter without cases,
    /// for the next press), then is dropped, so it can never attach to the
    /// next citizen's rating. Once bound to a case it lives as long as that
    /// service and no longer.
    public var identityBindWindow: Duration
    /// Local time (Asia/Shanghai) at which the working day ends: staff logins,
    /// open services and identities expire then. Nil: at midnight.
    public var workdayEnd: TimeOfDay?

    public init(
        debounce: Duration = .milliseconds(50),
        anonymousMinimumInterval: Duration = .seconds(3),
        ratedCaseHold: Duration = .seconds(120),
        identityBindWindow: Duration = .seconds(60),
        workdayEnd: TimeOfDay? = nil
    ) {
        self.debounce = debounce
        self.anonymousMinimumInterval = anonymousMinimumInterval
        self.ratedCaseHold = ratedCaseHold
        self.identityBindWindow = identityBindWindow
        self.workdayEnd = workdayEnd
    }

    /// When something begun at `wall` expires with the working day.
    public func endOfWorkingDay(after wall: Date) -> Date {
        let day = ShanghaiTime.civilDate(wall)
        let midnight = ShanghaiTime.startOfDay(day.adding(days: 1))
        guard let workdayEnd else { return midnight }
        let end = ShanghaiTime.startOfDay(day) + TimeInterval(workdayEnd.secondsSinceMidnight)
        return wall < end ? end : midnight
    }
}

/// A local wall-clock time of day, `HH:mm` in configuration.
public struct TimeOfDay: Hashable, Sendable, Codable, CustomStringConvertible {
    public var secondsSinceMidnight: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        secondsSinceMidnight = hour * 3600 + minute * 60
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2, let hour = parts[0], let minute = parts[1] else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String {
        let hour = secondsSinceMidnight / 3600, minute = secondsSinceMidnight % 3600 / 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
