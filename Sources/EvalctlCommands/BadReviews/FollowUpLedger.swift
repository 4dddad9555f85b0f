import EvalCore
import EvalOperator
import EvalQueue
import Foundation

/// The ledger opened read-only for the reading verbs (safe while evald runs).
struct FollowUpLedger {
    let ledger: CaseLedger

    init(_ context: OperatorContext) throws {
        do {
            ledger = try CaseLedger(path: context.queuePath, mode: .readOnly)
        } catch {
            throw Failure("cannot read the bad-review ledger in \(context.queuePath): \(error)")
        }
    }

    /// The follow-ups of the reviews `query` can match, by id (the time bounds narrow the read).
    func followUps(_ query: BadReviewQuery) throws -> [EvaluationID: FollowUpHistory] {
        Dictionary(try ledger.followUps(since: query.since, until: query.until).map { ($0.evaluationId, $0) }) { first, _ in first }
    }
}
