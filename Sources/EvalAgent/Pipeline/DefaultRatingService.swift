import EvalConcurrency
import EvalCore
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// Rule 3's clock: after every start (catching up on cases that fell due while
/// evald was stopped) and at every due time, settle the due cases. Sleeps
/// until the next due time, at most an hour, and wakes early when a new case
/// opens or the wall clock is set (`ClockSetService` rings it) or judged anew.
/// It runs on trusted time only: with no evidence of the time yet (no NTP, no
/// platform answer) it waits, rather than default a case by a wrong clock.
/// A pass in progress at shutdown completes.
struct DefaultRatingService: Service {
    let pipeline: CounterPipeline
    let logger: Logger
    static let untrustedRetry: TimeInterval = 60

    func run() async throws {
        let wake = pipeline.casesChanged
        var waitingLogged = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var delay = Self.untrustedRetry
            if let now = pipeline.clockWatch.trustedNow() {
                waitingLogged = false
                let next = await pipeline.applyDueDefaults(now: now)
                logger.debug("default ratings: pass at \(ShanghaiTime.format(now)); next due \(next.map(ShanghaiTime.format) ?? "none")")
                let limit = now.addingTimeInterval(3600)
                delay = max(0.05, min(next ?? limit, limit).timeIntervalSince(now))
            } else if !waitingLogged {
                waitingLogged = true
                logger.notice("default ratings wait for a trusted clock (no NTP synchronisation, no platform answer yet)")
            }
            let until = wake.clock.now + .milliseconds(Int64(delay * 1000))
            try? await cancelWhenGracefulShutdown {
                await wake.wait(until: until)
            }
        }
    }
}
