import EvalConcurrency
import EvalCore
import EvalUplink
import Foundation
import ServiceLifecycle

/// The loop of the services that act once a day on trusted time (deadline
/// alerts, the monthly 通报): `pass` at start, at every Shanghai midnight and
/// whenever `wake` rings. It looks at most an hour ahead, so a clock change
/// libfaketime makes (no kernel set) is seen too; with no trusted time yet it
/// looks again in a minute. A pass in progress at shutdown completes.
func runDailyPasses(clockWatch: ClockWatch, wake: Doorbell<ContinuousClock>, _ pass: (Date) async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        guard let now = clockWatch.trustedNow() else {
            try? await cancelWhenGracefulShutdown { await wake.wait(until: wake.clock.now + .seconds(60)) }
            continue
        }
        await pass(now)
        let midnight = ShanghaiTime.startOfDay(ShanghaiTime.civilDate(now).adding(days: 1))
        let delay = min(max(1, midnight.timeIntervalSince(now) + 1), 3600)
        try? await cancelWhenGracefulShutdown { await wake.wait(until: wake.clock.now + .milliseconds(Int64(delay * 1000))) }
    }
}
