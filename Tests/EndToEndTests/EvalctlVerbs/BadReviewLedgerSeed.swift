import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation

/// Two bad reviews stored as the pipeline stores them (queued, in the 台账), with the shipped calendar:
/// a real-name one at W01 (deadline 2026-10-19: 中秋节 and 国庆节 fall inside
/// the 15 working days) and an anonymous one at W02 (deadline 2026-10-20).
enum BadReviewLedgerSeed {
    static func seed(_ config: TestConfig) async throws -> (named: Evaluation, anonymous: Evaluation) {
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let named = BadReviewFollowUpTests.badReview(at: "2026-09-21 10:00:00", window: "W01", staff: "zhangsan", realName: true)
        let anonymous = BadReviewFollowUpTests.badReview(at: "2026-09-22 10:00:00", window: "W02", staff: "lisi", realName: false)
        try await BadReviewFollowUpTests.store([named, anonymous], in: config)
        return (named, anonymous)
    }
}
