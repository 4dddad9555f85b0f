import EvalAgent
import EvalCore
import EvalOperator
import Foundation
import Testing

@Suite("evald_delivery_failures_total and evald_alert_command_failures_total")
struct DeliveryFailureMetricsTests {
    @Test func everyReasonIsExportedFromZeroAndCountsRecords() async {
        let metrics = AgentMetrics()
        let fresh = await metrics.render()
        // Every series exists from the start, so increase() sees the first failure.
        for reason in DeliveryFailureReason.allCases {
            #expect(fresh.contains("\nevald_delivery_failures_total{reason=\"\(reason.rawValue)\"} 0\n"), "\(reason)")
        }
        let now = Date()
        metrics.recordOutcomes([
            .retry(EvaluationID.make(), error: "401", notBefore: now, reason: .unauthorized),
            .retry(EvaluationID.make(), error: "401", notBefore: now, reason: .unauthorized),
            .retry(EvaluationID.make(), error: "held", notBefore: now, reason: .clock),
            .rejected(EvaluationID.make(), reason: "bad areaCode"),
            .delivered(EvaluationID.make()),
        ])
        let text = await metrics.render()
        #expect(text.contains("\nevald_delivery_failures_total{reason=\"unauthorized\"} 2\n"))
        #expect(text.contains("\nevald_delivery_failures_total{reason=\"clock\"} 1\n"))
        #expect(text.contains("\nevald_delivery_failures_total{reason=\"rejected\"} 1\n"))
        #expect(text.contains("\nevald_delivery_failures_total{reason=\"transport\"} 0\n"))
        #expect(text.contains("\nevald_retries_total 3\n") && text.contains("\nevald_rejections_total 1\n"))
    }

    @Test func aFailedAlertCommandIsCountedAndASuccessfulOneIsNot() async {
        let metrics = AgentMetrics()
        let failing = BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/bin/false"]), policy: AlertFixtures.policy,
                                      logger: AlertLogs().logger, metrics: metrics)
        let working = BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/bin/true"]), policy: AlertFixtures.policy,
                                      logger: AlertLogs().logger, metrics: metrics)
        #expect(await metrics.render().contains("\nevald_alert_command_failures_total 0\n"))
        let review = AlertFixtures.badReview()
        #expect(await failing.alert(review) == .exited(status: 1))
        #expect(await working.alert(review) == .exited(status: 0))
        #expect(await metrics.render().contains("\nevald_alert_command_failures_total 1\n"))
    }
}
