#if canImport(Glibc)
import Glibc
#endif
import EvalAgent
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

@Suite("evalctl against a real queue file", .serialized)
struct EvalctlTests {
    static func evaluation(_ rating: Rating, window: String = "W01", projectNo: String? = nil) -> Evaluation {
        Evaluation(satisfaction: rating, assessedAt: Date(), areaCode: "533103", hallCode: "H1", windowCode: window,
                   deviceId: "simulated-keypad", projectNo: projectNo,
                   evaluatedPersons: [StaffMember(loginName: "zhangsan", name: "张三")])
    }

    /// A queue with 2 delivered, 1 rejected, 1 pending — made through the queue's own API.
    static func seed(_ config: TestConfig) async throws -> (delivered: [Evaluation], rejected: Evaluation, pending: Evaluation) {
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        defer { queue.close() }
        let delivered = [evaluation(.verySatisfied), evaluation(.satisfied, window: "W02")]
        let rejected = evaluation(.veryDissatisfied, projectNo: "MS-1")
        for e in delivered + [rejected] { try await queue.enqueue(e) }
        let claimed = try await queue.claim(limit: 10, now: Date())
        #expect(claimed.count == 3)
        try await queue.settle(delivered.map { .delivered($0.evaluationId) } + [.rejected(rejected.evaluationId, reason: "areaCode unknown")],
                               now: Date())
        let pending = evaluation(.basicallySatisfied)
        try await queue.enqueue(pending)
        return (delivered, rejected, pending)
    }

    func evalctl(_ config: TestConfig, _ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath], directory: config.directory)
    }

    func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func readVerbsAndRepairsWhileTheDaemonIsStopped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let seeded = try await Self.seed(config)

        let status = try await evalctl(config, ["status", "--json"])
        #expect(status.status == 3, "not running: exit 3 as systemctl status; \(status.stderr)")
        let object = json(status.stdout) as? [String: Any]
        let queue = object?["queue"] as? [String: Any]
        #expect(queue?["pending"] as? Int == 1)
        #expect(queue?["inflight"] as? Int == 0)
        #expect(queue?["delivered"] as? Int == 2)
        #expect(queue?["rejected"] as? Int == 1)
        #expect((object?["daemon"] as? [String: Any])?["running"] as? Bool == false)
        #expect((object?["daemon"] as? [String: Any])?["state"] as? String == "stopped")
        #expect(object?.keys.contains { $0.contains(".") } == false, "no flat dotted duplicates of nested keys")
        let human = try await evalctl(config, ["status"])
        #expect(human.status == 3)
        #expect(human.stdout.contains("not running"))
        #expect(human.stdout.contains("refused:        1 record(s) rejected"))

        let dead = try await evalctl(config, ["queue", "list", "--state", "rejected", "--json"])
        let list = json(dead.stdout) as? [[String: Any]]
        #expect(list?.count == 1)
        #expect(list?.first?["evaluationId"] as? String == seeded.rejected.evaluationId.description)
        #expect(list?.first?["rejectedReason"] as? String == "areaCode unknown")
        let table = try await evalctl(config, ["queue", "list"])
        #expect(table.stdout.contains("非常不满意"))

        let show = try await evalctl(config, ["queue", "show", seeded.rejected.evaluationId.description, "--json"])
        #expect((json(show.stdout) as? [String: Any])?["projectNo"] as? String == "MS-1")

        let stats = try await evalctl(config, ["stats", "--by", "window", "--json"])
        let overall = (json(stats.stdout) as? [String: Any])?["overall"] as? [String: Any]
        #expect(overall?["total"] as? Int == 4)
        let csv = try await evalctl(config, ["export", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\r\n").count == 5)

        // Destructive verbs: refused without a terminal or --yes.
        let unconfirmed = try await evalctl(config, ["queue", "drop", seeded.pending.evaluationId.description])
        #expect(unconfirmed.status != 0)
        #expect(try QueueReader(path: config.queuePath).record(seeded.pending.evaluationId) != nil)

        let retry = try await evalctl(config, ["queue", "retry", "--yes", seeded.rejected.evaluationId.description])
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        #expect(try QueueReader(path: config.queuePath).record(seeded.rejected.evaluationId)?.state == .pending)
        let wrong = try await evalctl(config, ["queue", "retry", "--yes", seeded.delivered[0].evaluationId.description])
        #expect(wrong.status != 0)
        #expect((wrong.stdout + wrong.stderr).contains("not rejected"))

        let drop = try await evalctl(config, ["queue", "drop", "--yes", seeded.pending.evaluationId.description])
        #expect(drop.status == 0, "\(drop.stderr)")
        #expect(try QueueReader(path: config.queuePath).record(seeded.pending.evaluationId) == nil)
        let audit = try String(contentsOfFile: (config.stateDirectory as NSString).appendingPathComponent("audit.log"), encoding: .utf8)
        #expect(audit.contains("verb=retry evaluationId=\(seeded.rejected.evaluationId)"))
        #expect(audit.contains("verb=drop evaluationId=\(seeded.pending.evaluationId)"))
        #expect(audit.contains("\"satisfaction\":3"))
        // The record is the store's audit table, written by evalctl itself (evald stopped) with each change.
        let rows = try QueueReader(path: config.queuePath).auditEntries()
        #expect(rows.map(\.verb) == ["retry", "drop"] && rows.allSatisfy { $0.actor.via == .evalctl && $0.actor.uid == UInt32(getuid()) })
        #expect(rows.map(\.evaluationId) == [seeded.rejected.evaluationId, seeded.pending.evaluationId])
    }
    @Test func permissionDeniedIsExplained() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await Self.seed(config)
        chmod(config.stateDirectory, 0o700)
        chmod(dir.url.path, 0o755)
        chmod(config.configPath, 0o644)
        // Run as nobody (the tests run as root, for whom permissions do not apply).
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"), arguments: ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                              try BuiltProducts.executable(named: "evalctl").path, "queue", "list", "--config", config.configPath],
                                         directory: dir.url.path)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("permission denied"), "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("sudo"))
    }

    @Test func repairsGoThroughTheRunningDaemonAndReadsNeverDisturbIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        // The platform rejects 非常不满意 for now: a dead letter to repair.
        try await sim.setFaults(#"{"rejectField": "satisfaction", "rejectValue": "1"}"#)
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        defer { keypad.close() }
        keypad.press(1)
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(5)

        #expect(await eventually(timeout: .seconds(20)) {
            let counts = try? QueueReader(path: config.queuePath).snapshot()
            return counts?.count(.rejected) == 1 && counts?.count(.delivered) == 1
        }, "stderr:\n\(daemon.stderr)")
        let rejected = try #require(try QueueReader(path: config.queuePath).list(QueueListQuery(state: .rejected)).first)

        // Reads in a loop while the daemon works: always consistent, never an error.
        for _ in 0..<5 {
            let status = try await evalctl(config, ["status", "--json"])
            #expect(status.status == 0)
            let q = (json(status.stdout) as? [String: Any])?["queue"] as? [String: Any]
            #expect(q?["total"] as? Int == 2)
        }

        try await sim.clearFaults()
        let retry = try await evalctl(config, ["queue", "retry", "--yes", rejected.id.description])
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        #expect(await eventually(timeout: .seconds(20)) {
            (try? QueueReader(path: config.queuePath).record(rejected.id)?.state) == .delivered
        }, "stderr:\n\(daemon.stderr)")
        #expect(try await sim.stats().unique == 2)
        #expect(daemon.stderr.contains("operator retry"))
        #expect(daemon.isRunning)
    }
}
