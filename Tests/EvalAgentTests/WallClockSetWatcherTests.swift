#if canImport(Glibc)
import Glibc
#endif
@testable import EvalAgent
import Foundation
import Synchronization
import Testing

/// Issue 10, item 3: wall-clock deadlines re-arm when the clock is set. The
/// kernel's own notice (timerfd, TFD_TIMER_CANCEL_ON_SET) reaches the
/// watcher the default-rating pass runs.
@Suite struct WallClockSetWatcherTests {
    /// Setting the clock to what it reads is a set for the kernel and no
    /// change for anyone else; it needs CAP_SYS_TIME.
    static func setClockToItself() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return clock_settime(CLOCK_REALTIME, &now) == 0
    }

    static let canSetClock = setClockToItself()

    final class Calls: Sendable {
        let count = Mutex(0)
    }

    @Test(.enabled(if: canSetClock, "needs CAP_SYS_TIME (root) to set the wall clock to itself"))
    func settingTheWallClockCallsBackEachTime() async throws {
        let calls = Calls()
        let watcher = try #require(WallClockSetWatcher { calls.count.withLock { $0 += 1 } }, "timerfd unavailable")
        defer { watcher.stop() }
        #expect(calls.count.withLock { $0 } == 0, "called before any set")
        for expected in 1...2 {
            #expect(Self.setClockToItself())
            // Bounded so a broken watcher fails instead of hanging the run.
            let deadline = ContinuousClock.now + .seconds(30)
            while calls.count.withLock({ $0 }) < expected && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(calls.count.withLock { $0 } == expected, "one callback per set of the clock")
        }
    }
}
