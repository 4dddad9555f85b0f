import CClockSet
import Foundation
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM always ends evald within systemd's stop timeout
/// (`TimeoutStopSec=30s`), even when a service hangs in its shutdown: a
/// thread of its own sleeps `limit` on the raw monotonic clock from the
/// moment graceful shutdown begins, and then ends the process itself, with
/// a clear log line, before systemd has to SIGKILL it. Nothing acknowledged
/// is lost by that (every evaluation is committed with fdatasync before it is
/// acknowledged; records in flight are resent and answered `duplicate`).
///
/// The sleep is the raw system call: libc's timed waits are the ones a
/// preloaded time faker (or a service's own timers) can stretch, which is
/// how a stop once hung in `sigsuspend` under libfaketime.
struct StopDeadlineService: Service {
    /// Beyond the service group's own graceful-shutdown bound (20 s), below systemd's 30 s.
    static let limit: UInt32 = 25
    static let exitStatus: Int32 = 70  // EX_SOFTWARE: the stop did not complete by itself
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let logger = self.logger
        let thread = Thread {
            guard evald_sleep_monotonic_raw(Self.limit) == 0 else { return }
            logger.critical("stop deadline: evald did not stop within \(Self.limit) s of SIGTERM; exiting now (nothing acknowledged is lost; records in flight are sent again at the next start)")
            fflush(nil)  // every stdio stream, the log line with them
            _exit(Self.exitStatus)
        }
        thread.name = "stop deadline"
        thread.start()
    }
}
