import EvalCore
import Foundation
import Synchronization

/// The enqueue the daemon's pipeline uses: submitted, not awaited, so the
/// pipeline takes its next input while this one's fsync is under way, and
/// evaluations arriving meanwhile share the next commit (group commit on the
/// single-producer path). Acknowledgement is `completion` after COMMIT.
extension EvaluationQueue {
    /// Stores `evaluation` and its ledger rows in one transaction (as
    /// `enqueue(_:ledger:)` does) and calls `completion` on the writer thread
    /// once durable, or with the error that kept it out (nothing stored).
    ///
    /// Until then its case reads as rated (`caseState(of:)`): a scan of the
    /// same case arriving before the commit can never open a second rating.
    public func submit(_ evaluation: Evaluation, ledger: CaseLedgerUpdate,
                       completion: @escaping @Sendable (Result<EnqueueResult, any Error>) -> Void) {
        let stored = StoredEvaluation(evaluation)
        let now = clock.now().timeIntervalSince1970
        guard let ratedCase = ledger.rated?.projectNo else {
            writer.submit({ context in try Self.insert(stored, ledger: ledger, at: now, into: &context) }, eager: true,
                          completion: completion)
            return
        }
        let inFlight = ratingsInFlight
        inFlight.insert(ratedCase)
        writer.submit(rating: CaseRatingWrite(stored, projectNo: ratedCase, ledger: ledger, at: now) { result in
            // After COMMIT the rows are visible to readers, so the case is
            // never seen unrated in between; after a failure it is unrated.
            inFlight.remove(ratedCase)
            completion(result)
        })
    }
}

/// Cases with a rating submitted to the writer and not yet committed (a
/// multiset: the same case may be submitted twice, e.g. a repeat).
final class RatingsInFlight: Sendable {
    private let cases = Mutex<[String: Int]>([:])

    func insert(_ projectNo: String) { cases.withLock { $0[projectNo, default: 0] += 1 } }

    func remove(_ projectNo: String) {
        cases.withLock { cases in
            let left = (cases[projectNo] ?? 1) - 1
            cases[projectNo] = left > 0 ? left : nil
        }
    }

    func contains(_ projectNo: String) -> Bool { cases.withLock { $0[projectNo] != nil } }
}
