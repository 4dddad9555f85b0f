import Foundation

/// When a session input happened: the wall-clock instant (for `assessTime`
/// and the end of the working day) and a monotonic instant (for debounce and
/// intervals, immune to clock changes). The device layer stamps both on its
/// reader thread (`InputStamp`); the pipeline corrects the wall reading when
/// the clock is known to be wrong and says, in `recorded`, whether it could.
public struct SessionMoment<Instant: InstantProtocol>: Hashable, Sendable where Instant.Duration == Duration {
    public var wall: Date
    public var instant: Instant
    /// Copied into every evaluation made at this moment (nil in fixtures).
    public var recorded: RecordedTime?

    public init(wall: Date, instant: Instant, recorded: RecordedTime? = nil) {
        self.wall = wall
        self.instant = instant
        self.recorded = recorded
    }
}

/// A button press on a window's keypad.
public struct Press: Hashable, Sendable {
    public var rating: Rating
    public var deviceId: String

    public init(rating: Rating, deviceId: String) {
        self.rating = rating
        self.deviceId = deviceId
    }
}
