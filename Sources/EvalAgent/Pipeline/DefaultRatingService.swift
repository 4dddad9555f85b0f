import EvalCore
import Foundation
import Logging
import ServiceLifecycle

/// Rule 3's clock: after every start (catching up on cases that fell due while
/// evald was stopped) and at every due time, settle the due cases. Sleeps
/// until the next due time, at most an hour, and wakes early when a new case
/// opens or the wall clock is set (`ClockSetService` rings it). A pass in progress at
/// shutdown completes.
struct DefaultRatingService: Service {
    let pipeline: CounterPipeline
    let logger: Logger

    func run() async throws {
        let wake = pipeline.casesChanged
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
