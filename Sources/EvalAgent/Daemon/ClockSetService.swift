import EvalConcurrency
import EvalCore
import Foundation
import Logging
import ServiceLifecycle

/// The daemon's one `WallClockSetWatcher`: when the wall clock is set (an NTP
/// step at boot, an operator's `date -s`) every wall-clock deadline moves, so
/// the loops that sleep towards one — default ratings, rectification
/// deadlines — are rung to look again now, not at their next hourly check.
struct ClockSetService: Service {
    let doorbells: [Doorbell<ContinuousClock>]
    let logger: Logger

    func run() async throws {
        let watcher = WallClockSetWatcher { [doorbells, logger] in
            logger.notice("the wall clock was set (now \(Date())): looking at wall-clock deadlines again")
            for doorbell in doorbells { doorbell.ring() }
        }
        if watcher == nil { logger.warning("timerfd unavailable: a wall-clock change is noticed within an hour") }
        // Runs until the daemon stops: a service that returns ends the group.
        await gracefulShutdownOrCancel()
        watcher?.stop()
    }
}
