import EvalConcurrency
import EvalCore
import EvalQueue
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// Rule 4's deadlines (issue 14): once a day — after every start, at each
/// midnight in Shanghai, when an operator records a step, when the wall clock
/// is set — finds the bad reviews whose rectification deadline is near or has
/// passed and gives each alert once (a warning, and the alert command with
/// event `rectification-deadline-near` / `-passed`). What was given is kept in
/// the store (`deadline_alerts`), so a restart gives nothing twice; an
/// extension's new deadline is alerted again.
struct RectificationDeadlineService: Service {
    let queue: EvaluationQueue
    let calendar: WorkingDayCalendar
    let nearWorkingDays: Int
    let alerts: BadReviewAlerts
    /// Rung when a follow-up step is recorded, and by `ClockSetService`.
    let wake: Doorbell<ContinuousClock>
    let clockWatch: ClockWatch
    let logger: Logger

    func run() async throws {
        await runDailyPasses(clockWatch: clockWatch, wake: wake) { _ = await pass(now: $0) }
    }

    /// One look at every bad review of the last year; returns the alerts given.
    func pass(now: Date) async -> [DeadlineAlert] {
        let histories: [FollowUpHistory]
        let given: Set<DeadlineAlert.Key>
        do {
            histories = try await queue.followUps(since: now.addingTimeInterval(-366 * 86_400))
            given = try await queue.deadlineAlertsSent()
        } catch {
            logger.error("rectification deadlines: cannot read the ledger: \(error); looking again within the hour")
            return []
        }
        let byId = Dictionary(histories.map { ($0.evaluationId, $0) }, uniquingKeysWith: { first, _ in first })
        let due = DeadlineAlert.due(histories.map { ($0.evaluationId, $0.followUp) }, today: ShanghaiTime.civilDate(now),
                                    calendar: calendar, nearWorkingDays: nearWorkingDays, alreadyGiven: given)
        var delivered: [DeadlineAlert] = []
        for alert in due {
            guard let history = byId[alert.evaluationId] else { continue }
            let outcome = await alerts.deadline(alert, windowCode: history.windowCode, staffLogin: history.staffLogin,
                                                followUp: history.followUp)
            // A failed command is tried again at the next look; the log already says so.
            if let outcome, !outcome.succeeded { continue }
            do {
                try await queue.recordDeadlineAlert(alert, at: now)
                delivered.append(alert)
            } catch {
                logger.error("rectification deadlines: cannot record the alert for \(alert.evaluationId): \(error)")
            }
        }
        return delivered
    }
}
