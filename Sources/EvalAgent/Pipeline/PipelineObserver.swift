import EvalConcurrency
import EvalCore
import EvalOperator
import EvalQueue
import EvalSession
import Foundation
import Logging

/// What the daemon does with the session driver's outcomes: counters, the
/// status board, bad-review alerts and log lines. Called from the pipeline's
/// task and from the store's writer thread, so it holds only thread-safe parts.
struct PipelineObserver: SessionDriverObserver {
    let alerts: BadReviewAlerts
    let metrics: AgentMetrics
    let board: StatusBoard
    let logger: Logger
    /// Rings the default-rating loop when a case opens (its due time may be sooner).
    let casesChanged: Doorbell<ContinuousClock>
    /// The window's evaluators, prompted as the sessions say.
    let prompter: CounterPrompter?
    /// A refused rating's critical line, at most once a minute (a full disk
    /// refuses every press; the metric and the status board count each one).
    let loud = LoudLines()

    func stored(_ evaluation: Evaluation, result: EnqueueResult) {
        metrics.recordPress(evaluation.satisfaction)
        board.update { $0.evaluationsToday += 1 }
        logger.info("evaluation queued: \(evaluation)")
        if evaluation.isBadReview { alerts.submit(evaluation) }
    }

    func refused(_ evaluation: Evaluation, error: any Error) {
        metrics.recordEnqueueFailure()
        board.recordRefusal("queue refused \(evaluation.evaluationId): \(error)")
        if let suppressed = loud.admit("refused") {
            logger.critical("\(LoudLines.line("evaluation NOT stored, the queue refused it: \(error)", suppressed: suppressed))",
                            metadata: ["evaluation": "\(evaluation)"])
        }
    }

    func filtered(_ press: FilteredPress) {
        metrics.recordFiltered(reason: press.reason.rawValue)
        board.update { $0.filteredToday += 1 }
        logger.info("press filtered (\(press.reason.rawValue)): \(press.rating.chineseName) on \(press.deviceId)",
                    metadata: ["window": "\(press.windowCode)"])
    }

    func caseOpened(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) {
        casesChanged.ring()
    }

    func writeFailed(_ what: String, error: any Error) {
        metrics.recordStoreWriteFailure()
        board.recordError("cannot store \(what): \(error)")
        logger.error("cannot store \(what): \(error)")
    }

    func ledgerUnavailable(projectNo: String, error: any Error) {
        metrics.recordLedgerUnavailable()
        board.recordError("case ledger unreadable for \(projectNo): \(error)")
        logger.error("cannot read the case ledger for case \(projectNo): \(error); presses for it are kept as filtered (ledger-unavailable), never a second rating")
    }

    func defaultsApplied(_ pass: DefaultPass) {
        for evaluation in pass.enqueued {
            logger.notice("case \(evaluation.projectNo ?? "-") not rated within 5 working days: default 基本满意")
            stored(evaluation, result: .enqueued)
        }
        for projectNo in pass.markedRated {
            logger.notice("case \(projectNo) has a queued citizen's rating: marked rated, not defaulted")
        }
        if !pass.refused.isEmpty {
            metrics.recordDefaultRefusals(pass.refused.count)
            for refusal in pass.refused {
                board.recordRefusal("default rating of case \(refusal.projectNo) refused: \(refusal.error)")
                logger.critical("default rating of case \(refusal.projectNo) NOT stored, the queue refused it: \(refusal.error); the case stays due and is retried")
            }
        }
        if let error = pass.readError {
            board.recordError("default ratings: cannot read the case ledger: \(error)")
            logger.error("default ratings: cannot read the case ledger: \(error); retrying in a minute")
        }
    }

    func prompt(_ prompt: WindowPrompt) {
        prompter?.prompt(prompt)
    }

    func log(_ event: SessionEvent) {
        switch event.level {
        case .info: logger.info("\(event.message)")
        case .notice: logger.notice("\(event.message)")
        case .warning: logger.warning("\(event.message)")
        }
    }
}
