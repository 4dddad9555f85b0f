import EvalCore
import EvalOperator
import Foundation
import Logging
import ServiceLifecycle

/// Rule 4's local alert: every bad review logs a warning at once (no personal
/// data) and is handed to the alert command, one at a time, off the press path.
///
/// `submit` never waits: it only appends to a bounded in-memory backlog that
/// `run()` drains. The alert is a convenience on top of the queue, which
/// already holds the evaluation durably; a dropped alert is logged, never silent.
public final class BadReviewAlerts: Service, Sendable {
    public let configuration: AlertCommandConfiguration?
    private let policy: BadReviewPolicy
    private let logger: Logger
    private let runner: AlertCommandRunner
    private let metrics: AgentMetrics?
    private let stream: AsyncStream<Evaluation>
    private let continuation: AsyncStream<Evaluation>.Continuation

    /// With a nil configuration only the warning log line is written.
    /// `metrics` counts the failed runs (`evald_alert_command_failures_total`).
    public init(configuration: AlertCommandConfiguration?, policy: BadReviewPolicy, logger: Logger, runner: AlertCommandRunner = AlertCommandRunner(),
                metrics: AgentMetrics? = nil) {
        self.configuration = configuration
        self.metrics = metrics
        self.policy = policy
        self.logger = logger
        self.runner = runner
        (stream, continuation) = AsyncStream.makeStream(of: Evaluation.self, bufferingPolicy: .bufferingOldest(max(1, configuration?.backlogLimit ?? 1)))
    }

    /// Call for every emitted evaluation; ignores those that are not bad reviews.
    public func submit(_ evaluation: Evaluation) {
        guard evaluation.isBadReview else { return }
        let deadline = policy.rectificationDeadline(for: evaluation)
        logger.warning("bad review: verify now, rectify by \(deadline)", metadata: [
            "evaluationId": "\(evaluation.evaluationId)",
            "rating": "\(evaluation.satisfaction.rawValue)",
            "window": "\(evaluation.windowCode)",
            "case": "\(evaluation.projectNo ?? "-")",
            "realName": "\(evaluation.evaluator != nil)",
        ])
        guard configuration != nil else { return }
        if case .dropped = continuation.yield(evaluation) {
            logger.error("bad-review alert dropped: the alert command is behind", metadata: ["evaluationId": "\(evaluation.evaluationId)"])
        }
    }

    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            for await evaluation in stream {
                _ = await alert(evaluation)
            }
        } onCancelOrGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// Runs the command for one bad review and logs how it went.
    public func alert(_ evaluation: Evaluation) async -> AlertCommandOutcome? {
        guard let configuration else { return nil }
        let payload = BadReviewAlertPayload(evaluation, deadline: policy.rectificationDeadline(for: evaluation),
                                            includePersonalData: configuration.includePersonalData)
        return await run(payload, event: "bad-review", evaluationId: evaluation.evaluationId, configuration: configuration)
    }

    /// A rectification deadline near or passed: a warning log line always, and
    /// the command when one is configured. Returns nil when there is none.
    public func deadline(_ alert: DeadlineAlert, windowCode: String, staffLogin: String?, followUp: BadReviewFollowUp) async -> AlertCommandOutcome? {
        let what = alert.kind == .passed
            ? "bad review NOT RECTIFIED: its deadline \(alert.deadline) has passed (\(-alert.workingDaysLeft) working day(s) ago)"
            : "bad review to rectify: deadline \(alert.deadline), \(alert.workingDaysLeft) working day(s) left"
        logger.warning("\(what); record the step with evalctl bad-reviews", metadata: [
            "evaluationId": "\(alert.evaluationId)", "window": "\(windowCode)", "stage": "\(followUp.stage.rawValue)",
        ])
        guard let configuration else { return nil }
        let payload = DeadlineAlertPayload(alert, windowCode: windowCode, staffLogin: staffLogin, followUp: followUp)
        return await run(payload, event: alert.kind.rawValue, evaluationId: alert.evaluationId, configuration: configuration)
    }

    private func run(_ payload: some Encodable, event: String, evaluationId: EvaluationID,
                     configuration: AlertCommandConfiguration) async -> AlertCommandOutcome? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(payload) else { return nil }
        let outcome = await runner.run(configuration.command, stdin: Array(json) + [0x0A], timeout: configuration.timeout)
        let metadata: Logger.Metadata = ["evaluationId": "\(evaluationId)", "command": "\(configuration.command.first ?? "")"]
        switch outcome {
        case .exited(status: 0):
            logger.debug("\(event) alert sent", metadata: metadata)
        case .exited(let status):
            logger.error("\(event) alert command failed with status \(status)", metadata: metadata)
        case .killedBySignal(let signal):
            logger.error("\(event) alert command killed by signal \(signal)", metadata: metadata)
        case .timedOut:
            logger.error("\(event) alert command hung; killed after \(configuration.timeout)", metadata: metadata)
        case .failedToStart(let code):
            logger.error("\(event) alert command could not start: \(String(cString: strerror(code)))", metadata: metadata)
        }
        if !outcome.succeeded { metrics?.recordAlertCommandFailure() }
        return outcome
    }
}
