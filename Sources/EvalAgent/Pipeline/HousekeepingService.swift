import EvalQueue
import Foundation
import Logging
import ServiceLifecycle

/// Prunes delivered records past their retention and purges personal data,
/// a few hundred rows per transaction, once at start and then hourly.
struct HousekeepingService: Service {
    let queue: EvaluationQueue
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let result = try await queue.prune(now: Date())
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
