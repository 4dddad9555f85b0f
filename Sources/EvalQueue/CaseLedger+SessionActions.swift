import EvalCore
import Foundation

extension CaseLedger {
    /// The ledger's part of one `SessionAction`, so the agent's session loop is:
    /// for each action, if it is `.emit`, enqueue it **with its ledger rows**
    /// (`queue.enqueue(evaluation, ledger: CaseLedgerUpdate(evaluation, badReviewPolicy:))`,
    /// one transaction), then `ledger.record(action, …)` (for `.emit` a no-op
    /// repeat of those rows), then log it / alert. Returns warnings to log
    /// (e.g. a due date computed across a year with no calendar file).
    @discardableResult
    public func record(_ action: SessionAction, scheduler: DefaultRatingScheduler, badReviewPolicy: BadReviewPolicy) throws -> [String] {
        switch action {
        case .emit(let evaluation):
            if evaluation.projectNo != nil { try recordRating(evaluation) }
            if evaluation.isBadReview { try recordBadReview(evaluation, policy: badReviewPolicy) }
            return []
        case .filtered(let press):
            try recordFiltered(press)
            return []
        case .openCase(let opening):
            let due = scheduler.due(openedAt: opening.openedAt)
            try open(opening, due: due)
            guard !due.uncoveredYears.isEmpty else { return [] }
            return ["case \(opening.ticket.projectNo): no calendar file for \(due.uncoveredYears.map(String.init).joined(separator: ", ")); its default-rating date counts Monday–Friday only"]
        case .log:
            return []
        }
    }
}
