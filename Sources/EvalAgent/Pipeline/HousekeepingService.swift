import EvalQueue
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// Prunes delivered records past their retention and purges personal data,
/// a few hundred rows per transaction, once at start and then hourly — on
/// trusted time only: nothing is deleted because the wall clock is wrong.
struct HousekeepingService: Service {
    let queue: EvaluationQueue
    let clockWatch: ClockWatch
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                guard let now = clockWatch.trustedNow() else {
                    logger.notice("housekeeping skipped: no trusted clock yet (nothing is pruned by a clock that may be wrong)")
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(300)) }
                    continue
                }
                let result = try await queue.prune(now: now)
                if result.deleted > 0 || result.personalDataPurged > 0 {
                    logger.info("housekeeping: \(result.deleted) delivered record(s) pruned, personal data purged from \(result.personalDataPurged)")
                }
            } catch {
                logger.error("housekeeping failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
