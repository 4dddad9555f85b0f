import EvalCore
import Foundation
import Logging
import ServiceLifecycle

/// Rule 3's clock: after every start (catching up on cases that fell due while
/// evald was stopped) and at every due time, settle the due cases. Sleeps
/// until the next due time, at most an hour, and wakes early when a new case
/// opens or the wall clock is set (`WallClockSetWatcher`). A pass in progress at
/// shutdown completes.
struct DefaultRatingService: Service {
    let pipeline: CounterPipeline
    let logger: Logger

    func run() async throws {
        let wake = pipeline.casesChanged
        // A set wall clock (NTP step at boot, an operator's date -s) moves every
        // due time: look again now, not at the next hourly check.
        let clockSet = WallClockSetWatcher { [logger] in
            logger.notice("the wall clock was set (now \(Date())): looking at due default ratings again")
            wake.ring()
        }
        defer { clockSet?.stop() }
        if clockSet == nil { logger.warning("timerfd unavailable: a wall-clock change is noticed within an hour") }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let next = await pipeline.applyDueDefaults(now: Date())
            let limit = Date().addingTimeInterval(3600)
            let delay = max(0.05, min(next ?? limit, limit).timeIntervalSinceNow)
            try? await cancelWhenGracefulShutdown {
                await wake.wait(until: wake.clock.now + .milliseconds(Int64(delay * 1000)))
            }
        }
    }
}
