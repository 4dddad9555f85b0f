import Foundation

/// When a session input happened: the wall-clock instant (for `assessTime`
/// and the end of the working day) and a monotonic instant (for debounce and
/// intervals, immune to clock changes). The device layer stamps both.
public struct SessionMoment<Instant: InstantProtocol>: Hashable, Sendable where Instant.Duration == Duration {
    public var wall: Date
    public var instant: Instant

    public init(wall: Date, instant: Instant) {
        self.wall = wall
        self.instant = instant
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
