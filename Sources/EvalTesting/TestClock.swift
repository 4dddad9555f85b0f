import EvalCore
import Foundation

/// A `Clock` that moves only when a test says so, for code generic over
/// `Clock` (the forwarder, its doorbell). Sleepers wake when `advance` passes
/// their deadline, or throw `CancellationError` when their task is cancelled.
/// `wall` is a `WallClock` that moves with it (from `wallStart`), so
/// wall-dated decisions (next-attempt times, X-Timestamp) follow too.
public final class TestClock: Clock, @unchecked Sendable {
    public struct Instant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
        /// Time since the clock's start.
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
        public var description: String { "t+\(offset)" }
        /// `offset` in seconds.
        public var seconds: TimeInterval { offset.seconds }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [UInt64: Sleeper] = [:]
    private var nextKey: UInt64 = 0
    private var sleeperWaiters: [CheckedContinuation<Void, Never>] = []
    public let wallStart: Date

    public init(wallStart: Date = Date(timeIntervalSince1970: 1_772_415_015)) {
        self.wallStart = wallStart
    }

    public var now: Instant { lock.withLock { current } }
    public var minimumResolution: Duration { .zero }

    /// The wall clock that moves with this clock.
    public var wall: any WallClock { Wall(clock: self) }

    private struct Wall: WallClock {
        let clock: TestClock
        func now() -> Date { clock.wallStart + clock.now.seconds }
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let key: UInt64 = lock.withLock {
            nextKey += 1
            return nextKey
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, waiters): (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) = lock.withLock {
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    if deadline <= current { return (.success(()), []) }
                    sleepers[key] = Sleeper(deadline: deadline, continuation: continuation)
                    defer { sleeperWaiters.removeAll() }
                    return (nil, sleeperWaiters)
                }
                waiters.forEach { $0.resume() }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = lock.withLock { sleepers.removeValue(forKey: key) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = lock.withLock {
            current = current.advanced(by: duration)
            let due = sleepers.filter { $0.value.deadline <= current }
            for key in due.keys { sleepers.removeValue(forKey: key) }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline (waking it); false if nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        let next: Instant? = lock.withLock { sleepers.values.map(\.deadline).min() }
        guard let next else { return false }
        advance(by: max(.zero, now.duration(to: next)))
        return true
    }

    /// How many tasks sleep on this clock now.
    public var sleeperCount: Int { lock.withLock { sleepers.count } }

    /// The earliest deadline anyone sleeps until.
    public var nextDeadline: Instant? { lock.withLock { sleepers.values.map(\.deadline).min() } }

    /// Returns once at least one task sleeps on this clock (a suspension, not a poll).
    public func waitForSleeper() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = lock.withLock {
                if !sleepers.isEmpty { return true }
                sleeperWaiters.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }
}
