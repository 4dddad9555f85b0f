import EvalCore
import EvalQueue

extension EvaluationQueue {
    /// `submitFiltered`, awaited: the daemon never waits for a filtered
    /// press, tests seeding a store do.
    public func recordFiltered(_ press: FilteredPress) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            submitFiltered(press) { continuation.resume(with: $0) }
        }
    }
}
