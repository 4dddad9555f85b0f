import EvalAgent
import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

@Suite struct AlertTests {
    typealias F = AlertFixtures

    static func capture(to path: String, includePersonalData: Bool = false, timeout: Duration = .seconds(5)) -> AlertCommandConfiguration {
        AlertCommandConfiguration(command: ["/bin/sh", "-c", #"cat > "$0""#, path], timeout: timeout, includePersonalData: includePersonalData)
    }

    static func payload(at path: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test func theCommandReadsTheEvaluationMasked() async throws {
        let directory = try TemporaryDirectory(prefix: "alert")
        defer { directory.remove() }
        let path = directory.path("alert.json")
        let alerts = BadReviewAlerts(configuration: Self.capture(to: path), policy: F.policy, logger: AlertLogs().logger)
        let outcome = await alerts.alert(F.badReview())
        #expect(outcome == .exited(status: 0))
        let payload = try Self.payload(at: path)
        #expect(payload["userName"] as? String == "王**")
        #expect(payload["certKey"] as? String == "5331**********1234")
        #expect(payload["personalDataMasked"] as? Bool == true)
        #expect(payload["satisfaction"] as? Int == 1)
        #expect(payload["windowCode"] as? String == "W07")
        #expect(payload["projectNo"] as? String == "2026030200001")
        #expect(payload["assessTime"] as? String == "2026-03-02 09:15:30")
        #expect(payload["rectificationDeadline"] as? String == "2026-03-23")
        #expect(payload["callBackNeeded"] as? Bool == true)
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!raw.contains("533103199001011234") && !raw.contains("王小明"))
    }

    @Test func clearTextOnlyWhenConfigured() async throws {
        let directory = try TemporaryDirectory(prefix: "alert")
        defer { directory.remove() }
        let path = directory.path("alert.json")
        let alerts = BadReviewAlerts(configuration: Self.capture(to: path, includePersonalData: true), policy: F.policy, logger: AlertLogs().logger)
        #expect(await alerts.alert(F.badReview()) == .exited(status: 0))
        let payload = try Self.payload(at: path)
        #expect(payload["certKey"] as? String == "533103199001011234")
        #expect(payload["personalDataMasked"] as? Bool == false)
    }

    @Test func aFailingCommandIsReportedAndLogged() async throws {
        let logs = AlertLogs()
        let alerts = BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/bin/sh", "-c", "exit 3"]), policy: F.policy, logger: logs.logger)
        #expect(await alerts.alert(F.badReview()) == .exited(status: 3))
        #expect(logs.messages.contains { $0.contains("failed with status 3") })

        let missing = BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/nonexistent/alert"]), policy: F.policy, logger: logs.logger)
        guard case .failedToStart = await missing.alert(F.badReview()) else {
            Issue.record("a missing command must fail to start"); return
        }
        // A command that exits without reading stdin must not take the agent down (SIGPIPE).
        let ignoring = BadReviewAlerts(configuration: AlertCommandConfiguration(command: ["/bin/true"]), policy: F.policy, logger: logs.logger)
        #expect(await ignoring.alert(F.badReview()) == .exited(status: 0))
    }

    @Test func aHangingCommandIsKilledWithEverythingItStarted() async throws {
        let directory = try TemporaryDirectory(prefix: "alert")
        defer { directory.remove() }
        let pidFile = directory.path("child.pid")
        let logs = AlertLogs()
        // The shell starts a grandchild and waits on it: killing only the shell would leave it running.
        let configuration = AlertCommandConfiguration(
            command: ["/bin/sh", "-c", #"sleep 30 & echo $! > "$0"; wait"#, pidFile], timeout: .milliseconds(300))
        let alerts = BadReviewAlerts(configuration: configuration, policy: F.policy, logger: logs.logger)
        let started = ContinuousClock.now
        let outcome = await alerts.alert(F.badReview())
        let elapsed = started.duration(to: .now)
        #expect(outcome == .timedOut)
        // It waited for the timeout; how long past it is the machine's business, not a behaviour.
        #expect(elapsed >= .milliseconds(300), "took \(elapsed)")
        #expect(logs.messages.contains { $0.contains("hung; killed") })

        let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let grandchild = try #require(Int32(text))
        let gone = await eventually(timeout: .seconds(10)) {
            // Gone, or a zombie waiting for init to reap it.
            guard let stat = try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8) else { return true }
            return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
        }
        #expect(gone, "the grandchild sleep \(grandchild) survived the timeout")
    }

    @Test func submitNeverWaitsForTheCommand() async throws {
        let directory = try TemporaryDirectory(prefix: "alert")
        defer { directory.remove() }
        let path = directory.path("alert.json")
        let logs = AlertLogs()
        let gate = directory.path("gate")
        // The command cannot finish before the test opens the gate, which it does only after
        // submit returned: a submit that waited for the command would find the gate shut and
        // the command would write "blocked" instead of the payload.
        let script = #"for i in $(seq 1000); do [ -e "$1" ] && break; sleep 0.01; done; if [ -e "$1" ]; then cat > "$0"; else echo blocked > "$0"; fi"#
        let configuration = AlertCommandConfiguration(command: ["/bin/sh", "-c", script, path, gate], timeout: .seconds(30))
        let alerts = BadReviewAlerts(configuration: configuration, policy: F.policy, logger: logs.logger)

        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await alerts.run() }
            alerts.submit(F.badReview(rating: .satisfied))  // not a bad review: no alert, no log
            alerts.submit(F.badReview())
            FileManager.default.createFile(atPath: gate, contents: Data())
            #expect(await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: path) && ((try? Self.payload(at: path)) != nil) })
            group.cancelAll()
        }
        let warnings = logs.messages.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1)
        #expect(warnings.allSatisfy { !$0.contains("王") && !$0.contains("533103199001011234") }, "\(warnings)")
        #expect(warnings.first?.contains("rectify by 2026-03-23") == true)
    }

    @Test func configurationIsValidated() {
        #expect(AlertCommandConfiguration(command: []).problem != nil)
        #expect(AlertCommandConfiguration(command: ["alert.sh"]).problem != nil)
        #expect(AlertCommandConfiguration(command: ["/bin/true"], timeout: .zero).problem != nil)
        #expect(AlertCommandConfiguration(command: ["/bin/true"]).problem == nil)
    }
}
