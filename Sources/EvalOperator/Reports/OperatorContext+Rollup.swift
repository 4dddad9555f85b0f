import EvalCore
import EvalQueue

extension OperatorContext {
    /// `evalctl report --rebuild`: recounts the rollup of `[from, to]` from the
    /// records and the ledger in one transaction of the store, which evalctl
    /// opens as evald does while evald is stopped (the store has one writer).
    /// Exact for days whose records are still kept (`delivered_retention_days`);
    /// older days keep their counts only if they are left out of the range.
    public func rebuildRollup(from: CivilDate, to: CivilDate) async throws {
        if case .running = daemon() {
            throw OperatorError("--rebuild writes the store: stop evald first (sudo systemctl stop evald), then run it again")
        }
        try await withStoppedDaemonStore { store in
            do {
                try await store.rebuildRollup(from: from, to: to)
            } catch let error as SQLiteError {
                throw OperatorError("cannot recount the rollup in \(queuePath): \(error.message); nothing changed")
            }
        }
    }
}
