import Synchronization

/// What every serial line has seen, by line id: for `/metrics` and the
/// status, so "the keypad sends noise" and "nobody pressed" look different.
public final class SerialLineCounters: Sendable {
    public struct Counts: Sendable, Hashable {
        public var frames = 0
        public var presses = 0
        /// Noise, cut frames, overlong runs, frames missing a field.
        public var garbled = 0
        public var badChecksum = 0
        /// A frame from an address no window is bound to (ignored).
        public var unboundAddress = 0
        /// A key the profile maps to no rating (ignored).
        public var unknownKey = 0
        public var pollTimeouts = 0
        public var bytesRead = 0
        public var framesWritten = 0

        public init() {}
    }

    private let counts = Mutex<[String: Counts]>([:])

    public init() {}

    func record(_ line: String, _ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0[line, default: Counts()]) }
    }

    public func snapshot() -> [String: Counts] { counts.withLock { $0 } }
}
