import EvalCore
import Foundation

/// What a `SessionDriver` tells the agent around it: the daemon counts, logs,
/// alerts and reports these; a test or the crash probe records them.
public protocol SessionDriverObserver: Sendable {
    /// Durably queued (with its ledger rows): acknowledged.
    func stored(_ evaluation: Evaluation, result: EnqueueResult)
    /// The queue refused it (cap, disk full, I/O): NOT stored.
    func refused(_ evaluation: Evaluation, error: any Error)
    func filtered(_ press: FilteredPress)
    func caseOpened(_ opening: CaseOpening, due: DefaultRatingScheduler.Due)
    /// A case or filtered press could not be written (the press or scan itself
    /// is not a rating, so nothing acknowledged was lost; the agent must say so).
    func writeFailed(_ what: String, error: any Error)
    /// The store could not say whether a case was rated: presses for it fail closed.
    func ledgerUnavailable(projectNo: String, error: any Error)
    /// A default pass: what it queued, repaired and could not queue.
    func defaultsApplied(_ pass: DefaultPass)
    func log(_ event: SessionEvent)
}

/// The one code path that turns a counter session's `SessionAction`s into
/// store operations: the daemon's pipeline, the crash probe and the store
/// tests all run this type, so what the tests show is what the daemon does.
///
/// - `.emit` waits until the evaluation and its ledger rows (case rated,
///   bad-review line) are committed in one transaction; errors propagate to
///   the observer as a refusal, never as a silent drop.
/// - `.openCase` and `.filtered` join the group commit without holding up the
///   next input; the writer keeps their order ahead of later writes.
/// - Case lookups fail closed (`caseState(for:)`).
public struct SessionDriver: Sendable {
    public let store: EvaluationQueue
    public let scheduler: DefaultRatingScheduler
    public let badReviewPolicy: BadReviewPolicy
    public let observer: any SessionDriverObserver

    public init(store: EvaluationQueue, scheduler: DefaultRatingScheduler, badReviewPolicy: BadReviewPolicy,
                observer: any SessionDriverObserver) {
        self.store = store
        self.scheduler = scheduler
        self.badReviewPolicy = badReviewPolicy
        self.observer = observer
    }

    /// The ledger's knowledge of a scanned case, for `CounterSession.receive`.
    /// A read error yields `.unavailable`: the session then keeps presses for
    /// the case as filtered (`ledger-unavailable`) rather than risk a second rating.
    public func caseState(for scan: Scan) async -> CaseLedgerState {
        guard case .caseReceipt(let ticket) = scan else { return .unknown }
        do {
            return try await store.caseState(of: ticket.projectNo)
        } catch {
            observer.ledgerUnavailable(projectNo: ticket.projectNo, error: error)
            return .unavailable
        }
    }

    /// Performs `actions` in order. Returns the evaluations durably stored.
    @discardableResult
    public func perform(_ actions: [SessionAction], defaultRatings: Bool = true) async -> [Evaluation] {
        var stored: [Evaluation] = []
        for action in actions {
            switch action {
            case .emit(let evaluation):
                if await accept(evaluation) { stored.append(evaluation) }
            case .filtered(let press):
                observer.filtered(press)
                let observer = observer
                store.submitFiltered(press) { result in
                    if case .failure(let error) = result { observer.writeFailed("filtered press on \(press.deviceId)", error: error) }
                }
            case .openCase(let opening):
                guard defaultRatings else { continue }
                let due = scheduler.due(openedAt: opening.openedAt)
                if !due.uncoveredYears.isEmpty {
                    observer.log(SessionEvent(.warning, "case \(opening.ticket.projectNo): no working-day calendar for \(due.uncoveredYears.map(String.init).joined(separator: ", ")); its default-rating date counts Monday–Friday only; install the State Council calendar file"))
                }
                let observer = observer
                store.submitOpenCase(opening, due: due) { result in
                    switch result {
                    case .success: observer.caseOpened(opening, due: due)
                    case .failure(let error): observer.writeFailed("case \(opening.ticket.projectNo)", error: error)
                    }
                }
            case .log(let event):
                observer.log(event)
            }
        }
        return stored
    }

    /// Queues `evaluation` with its ledger rows in one transaction. True once
    /// durable; false (and `refused`) when the queue would not take it.
    public func accept(_ evaluation: Evaluation) async -> Bool {
        do {
            let rows = try CaseLedgerUpdate(evaluation, badReviewPolicy: badReviewPolicy)
            let result = try await store.enqueue(evaluation, ledger: rows)
            observer.stored(evaluation, result: result)
            return true
        } catch {
            observer.refused(evaluation, error: error)
            return false
        }
    }

    /// One default pass (rule 3). Returns when the next pass should run: the
    /// next due time, or within a minute when a default was refused or the
    /// store could not be read (the case stays due; nothing is lost).
    public func applyDueDefaults(now: Date) async -> Date? {
        let pass = await store.applyDueDefaults(at: now)
        observer.defaultsApplied(pass)
        let retry = now.addingTimeInterval(60)
        guard pass.readError != nil || !pass.refused.isEmpty else { return pass.nextDue }
        // The refused case is itself due now: wait for the retry, not for it.
        if let due = pass.nextDue, due > now { return min(due, retry) }
        return retry
    }
}
