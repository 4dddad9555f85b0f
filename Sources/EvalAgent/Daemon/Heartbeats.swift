import Foundation
import Synchronization

/// Liveness of the daemon's loops, for the systemd watchdog.
///
/// A loop is `idle` while it waits for work (an awaiting task is not hung) and
/// `busy` from the moment it takes work until it finishes it. A loop busy for
/// longer than its limit is hung: the watchdog stops pinging and systemd
/// restarts evald. This needs no periodic wake-ups from idle loops.
public final class Heartbeats: Sendable {
    public struct Loop: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let forwarder = Loop("forwarder")
        public static let devices = Loop("devices")
    }

    private struct Entry {
        /// Time since the clock's origin (see `elapsed`) when the loop took work.
        var busySince: Duration?
        var limit: Duration
        var progressCount: UInt64 = 0
    }

    private let state = Mutex<[Loop: Entry]>([:])
    /// Time since this object was made, on the injected clock.
    private let elapsed: @Sendable () -> Duration

    public convenience init() { self.init(clock: ContinuousClock()) }

    /// `clock` measures how long a loop has been busy; tests pass a `TestClock`.
    public init<C: Clock & Sendable>(clock: C) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
    }

    public func register(_ loop: Loop, busyLimit: Duration) {
        state.withLock { $0[loop] = Entry(busySince: nil, limit: busyLimit) }
    }

    public func busy(_ loop: Loop) {
        let now = elapsed()
        state.withLock { entries in
            if entries[loop]?.busySince == nil { entries[loop]?.busySince = now }
        }
    }

    public func idle(_ loop: Loop) {
        state.withLock { entries in
            entries[loop]?.busySince = nil
            entries[loop]?.progressCount &+= 1
        }
    }

    /// Runs `body` as one unit of work of `loop`.
    public func work<T>(_ loop: Loop, _ body: () async throws -> T) async rethrows -> T {
        busy(loop)
        defer { idle(loop) }
        return try await body()
    }

    /// Loops busy for longer than their limit.
    public func hungLoops() -> [(loop: Loop, busyFor: Duration)] {
        let now = elapsed()
        return state.withLock { entries in
            entries.compactMap { loop, entry in
                guard let since = entry.busySince else { return nil }
                let busyFor = now - since
                return busyFor > entry.limit ? (loop, busyFor) : nil
            }
        }
    }

    public func progress(_ loop: Loop) -> UInt64 {
        state.withLock { $0[loop]?.progressCount ?? 0 }
    }
}
