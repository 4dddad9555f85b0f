import EvalCore
import Foundation

/// A scanned case's row, submitted unawaited (`EvaluationQueue.submitOpenCase`).
///
/// The writer knows it by project number while it waits: a rating of the same
/// case submitted before the writer takes that batch absorbs it
/// (`GroupCommitWriter.submit(rating:)`). The rating's evaluation row is then
/// the case's record while it is queued, and the case's settled row is written
/// when it leaves the table (migration ledger-008) — no INSERT and UPDATE of an
/// open row, and no entry in the due index. A citizen pressing at human pace
/// rates a case committed alone long before; a burst (inputs arriving during
/// a slow fsync, a keypad flushing what it buffered) is where this counts.
final class CaseOpeningWrite: WriteOperation {
    let stored: StoredCaseOpening
    private let completion: @Sendable (Result<Bool, any Error>) -> Void
    /// Set by the writer, under its lock, before the batch is taken: the
    /// rating staged after this in the same batch writes the row.
    var absorbed = false
    /// What writing the row gave: set by `stage`, or by the absorbing rating.
    var outcome: Result<Bool, any Error>?

    init(_ stored: StoredCaseOpening, completion: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        self.stored = stored
        self.completion = completion
    }

    func stage(_ context: inout WriteContext) -> (any Error)? {
        guard !absorbed else { return nil }
        writeOpen(on: &context)
        if case .failure(let error) = outcome { return error }
        return nil
    }

    /// The case's row, open and due: the opening staged on its own, or what a
    /// rating that absorbed it falls back to when the rating itself is not
    /// stored (the case stays open and due, as if no rating had come).
    func writeOpen(on context: inout WriteContext) {
        outcome = WriteOutcome.stage({ context in
            try context.checkFreeSpace(adding: 1024, for: "case \(stored.opening.ticket.projectNo)")
            return try stored.insert(on: context.connection)
        }, &context)
    }

    func finish(batchError: (any Error)?) {
        completion(WriteOutcome.finish(outcome, batchError: batchError))
    }
}

/// A citizen's rating of a case, with its ledger rows (`EvaluationQueue.submit`):
/// one transaction, eager. `opening` is its case's row when it absorbed it.
final class CaseRatingWrite: WriteOperation {
    let projectNo: String
    private let stored: StoredEvaluation
    private let ledger: CaseLedgerUpdate
    private let at: Double
    private let completion: @Sendable (Result<EnqueueResult, any Error>) -> Void
    /// Set by the writer, under its lock, before the batch is taken.
    var opening: CaseOpeningWrite?
    private var result: Result<EnqueueResult, any Error>?

    init(_ stored: StoredEvaluation, projectNo: String, ledger: CaseLedgerUpdate, at: Double,
         completion: @escaping @Sendable (Result<EnqueueResult, any Error>) -> Void) {
        self.stored = stored
        self.projectNo = projectNo
        self.ledger = ledger
        self.at = at
        self.completion = completion
    }

    func stage(_ context: inout WriteContext) -> (any Error)? {
        result = WriteOutcome.stage({ try EvaluationQueue.insert(stored, ledger: ledger, opening: opening, at: at, into: &$0) },
                                    &context)
        if case .failure(let error) = result { return error }
        return nil
    }

    func finish(batchError: (any Error)?) {
        completion(WriteOutcome.finish(result, batchError: batchError))
    }
}
