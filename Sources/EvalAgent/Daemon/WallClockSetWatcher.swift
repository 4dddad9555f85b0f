import CClockSet
import Foundation
import Synchronization

/// Calls `onSet` whenever the wall clock is set — an NTP step, `date -s`,
/// timedatectl — so that deadlines on the wall clock (working-day starts,
/// default ratings) are looked at again at once rather than at their next
/// hourly check (issue 10: a default due at 09:00 appeared only at SIGTERM).
///
/// One thread blocked in read(2) on a timerfd (CClockSet): no periodic
/// wake-up. The kernel reports sets of CLOCK_REALTIME; libfaketime's fake
/// time is not a set, and its jumps are caught by the hourly check.
public final class WallClockSetWatcher: Sendable {
    private enum Phase { case running, stopped, failed }
    private final class Shared: Sendable {
        let fd: Int32
        let phase = Mutex(Phase.running)
        init(fd: Int32) { self.fd = fd }
    }
    private let shared: Shared

    /// nil where timerfd is unavailable (the hourly check remains).
    public init?(onSet: @escaping @Sendable () -> Void) {
        let fd = evald_clockset_open()
        guard fd >= 0 else { return nil }
        let shared = Shared(fd: fd)
        self.shared = shared
        let thread = Thread {
            while true {
                let result = evald_clockset_wait(shared.fd)
                let stop = shared.phase.withLock { phase -> Bool in
                    if phase == .stopped { return true }
                    if result < 0 { phase = .failed; return true }
                    return false
                }
                if stop { break }
                if result == 1 { onSet() }
            }
            // Closed by the thread that read it, under no race with stop():
            // stop() wakes only a running watcher.
            close(shared.fd)
        }
        thread.name = "evald-clockset"
        thread.start()
    }

    /// Ends the watching thread (idempotent).
    public func stop() {
        shared.phase.withLock { phase in
            guard phase == .running else { return }
            phase = .stopped
            _ = evald_clockset_wake(shared.fd)
        }
    }

    deinit { stop() }
}
