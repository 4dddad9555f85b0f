@testable import EvalAgent
import EvalConcurrency
import EvalCore
@testable import EvalOperator
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Testing

/// Issue 14, item 3, on the code the daemon runs: the deadline service reads
/// follow-ups from a real store, runs the real alert command, and remembers in
/// the store what it gave, so neither a second look nor a restart repeats it.
@Suite struct RectificationDeadlineServiceTests {
    typealias F = AlertFixtures

    static func at(_ text: String) -> Date { ShanghaiTime.parse(text)! }

    /// The alert command appends each payload line to `path`.
    static func service(queue: EvaluationQueue, output path: String, logs: AlertLogs) -> RectificationDeadlineService {
        let command = AlertCommandConfiguration(command: ["/bin/sh", "-c", #"cat >> "$0""#, path])
        return RectificationDeadlineService(
            queue: queue, calendar: .mondayToFriday, nearWorkingDays: 3,
            alerts: BadReviewAlerts(configuration: command, policy: F.policy, logger: logs.logger),
            wake: Doorbell(clock: ContinuousClock()), clockWatch: .assumingSynchronized(), logger: logs.logger)
    }

    static func payloads(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func nearAndPassedAreGivenOnceEvenAcrossARestartAndAnExtensionIsAlertedAgain() async throws {
        let directory = try TemporaryDirectory(prefix: "deadlines")
        defer { directory.remove() }
        let configuration = QueueConfiguration(path: directory.path("queue.db"), minFreeBytes: 0)
        let output = directory.path("alerts.jsonl")
        let logs = AlertLogs()
        // Rated Monday 2026-03-02; 15 working days (Monday to Friday) end on 2026-03-23.
        let review = F.badReview()
        do {
            let queue = try EvaluationQueue(configuration: configuration)
            defer { queue.close() }
            _ = try await queue.enqueue(review, ledger: try CaseLedgerUpdate(review, badReviewPolicy: F.policy))
            let service = Self.service(queue: queue, output: output, logs: logs)

            #expect(await service.pass(now: Self.at("2026-03-17 09:00:00")).isEmpty, "four working days left")
            let near = await service.pass(now: Self.at("2026-03-18 09:00:00"))
            #expect(near.map(\.kind) == [.near])
            #expect(await service.pass(now: Self.at("2026-03-19 09:00:00")).isEmpty, "given once")
        }
        do {
            // A restart: a new store object on the same file.
            let queue = try EvaluationQueue(configuration: configuration)
            defer { queue.close() }
            let service = Self.service(queue: queue, output: output, logs: logs)
            #expect(await service.pass(now: Self.at("2026-03-20 09:00:00")).isEmpty, "not again after a restart")
            let passed = await service.pass(now: Self.at("2026-03-24 09:00:00"))
            #expect(passed == [DeadlineAlert(evaluationId: review.evaluationId, kind: .passed,
                                             deadline: CivilDate("2026-03-23")!, workingDaysLeft: -1)])

            // The operator verifies and extends through the store's writer (as the control socket does).
            _ = try await queue.appendFollowUpStep(FollowUpStep(.verify(.valid, reason: "属实"), on: CivilDate("2026-03-24")!, by: "wangfang"),
                                                   to: review.evaluationId, recordedAt: Self.at("2026-03-24 10:00:00"),
                                                   by: AuditActor(uid: 1000, name: "wangfang", via: .controlSocket)) { _ in "verify" }
            _ = try await queue.appendFollowUpStep(FollowUpStep(.extend(until: CivilDate("2026-04-10")!, explanation: "待采购"),
                                                                on: CivilDate("2026-03-24")!, by: "wangfang"),
                                                   to: review.evaluationId, recordedAt: Self.at("2026-03-24 10:01:00"),
                                                   by: AuditActor(uid: 1000, name: "wangfang", via: .controlSocket)) { _ in "extend" }
            #expect(await service.pass(now: Self.at("2026-03-25 09:00:00")).isEmpty, "the new deadline is weeks away")
            let again = await service.pass(now: Self.at("2026-04-08 09:00:00"))
            #expect(again.map(\.deadline) == [CivilDate("2026-04-10")!])
        }

        let payloads = Self.payloads(output)
        #expect(payloads.map { $0["event"] as? String ?? "" }
                == ["rectification-deadline-near", "rectification-deadline-passed", "rectification-deadline-near"])
        #expect(payloads.map { $0["rectificationDeadline"] as? String ?? "" } == ["2026-03-23", "2026-03-23", "2026-04-10"])
        #expect(payloads.first?["windowCode"] as? String == "W07")
        #expect(payloads.first?["workingDaysLeft"] as? Int == 3)
        // No personal data in a deadline alert, masked or not.
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(!text.contains("王") && !text.contains("5331031990"), "\(text)")
        #expect(logs.messages.filter { $0.hasPrefix("warning") && $0.contains("NOT RECTIFIED") }.count == 1, "\(logs.messages)")
    }

    @Test func aFailedCommandIsTriedAgainAtTheNextLook() async throws {
        let directory = try TemporaryDirectory(prefix: "deadlines")
        defer { directory.remove() }
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: directory.path("queue.db"), minFreeBytes: 0))
        defer { queue.close() }
        let review = F.badReview()
        _ = try await queue.enqueue(review, ledger: try CaseLedgerUpdate(review, badReviewPolicy: F.policy))
        let logs = AlertLogs()
        let failing = RectificationDeadlineService(
            queue: queue, calendar: .mondayToFriday, nearWorkingDays: 3,
            alerts: BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/bin/false"]), policy: F.policy, logger: logs.logger),
            wake: Doorbell(clock: ContinuousClock()), clockWatch: .assumingSynchronized(), logger: logs.logger)
        #expect(await failing.pass(now: Self.at("2026-03-18 09:00:00")).isEmpty)
        let output = directory.path("alerts.jsonl")
        let working = Self.service(queue: queue, output: output, logs: logs)
        #expect(await working.pass(now: Self.at("2026-03-18 09:05:00")).map(\.kind) == [.near])
        #expect(Self.payloads(output).count == 1)
    }
}
