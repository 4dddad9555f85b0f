#if canImport(Glibc)
import Glibc
#endif
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue #24, item 4: `--reveal` writes its audit row before anything is
/// shown in clear, and is refused (non-zero, nothing shown) when it cannot.
@Suite("evalctl --reveal: the audit row first, or nothing is shown", .serialized)
struct RevealAuditTests {
    @Test func aRevealIsRecordedBeforeItShowsAndRefusedWhenItCannotBe() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let realName = Evaluation(satisfaction: .veryDissatisfied, assessedAt: Date(), areaCode: "533103", hallCode: "H1", windowCode: "W01",
                                  deviceId: "simulated-keypad", evaluatedPersons: [StaffMember(loginName: "zhangsan", name: "张三")],
                                  evaluator: Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234")))
        do {
            let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
            defer { queue.close() }
            try await queue.enqueue(realName)
        }
        func evalctl(_ arguments: [String]) async throws -> ChildProcess.Outcome {
            try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath],
                                       directory: config.directory)
        }
        let id = realName.evaluationId.description

        // The audit row cannot be written: refused, and nothing in clear.
        try Connection(path: config.queuePath).execute(
            "CREATE TRIGGER injected_audit_failure BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")
        let refused = try await evalctl(["queue", "show", id, "--reveal", "--json"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--reveal refused"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("王小明") && !refused.stdout.contains("533103199001011234"))
        try Connection(path: config.queuePath).execute("DROP TRIGGER injected_audit_failure")

        // Masked: no row. Revealed: the row, then the clear text.
        let masked = try await evalctl(["queue", "show", id, "--json"])
        #expect(masked.status == 0 && !masked.stdout.contains("王小明"))
        #expect(try QueueReader(path: config.queuePath).auditEntries().isEmpty)
        let shown = try await evalctl(["queue", "show", id, "--reveal", "--json"])
        #expect(shown.status == 0 && shown.stdout.contains("王小明"), "\(shown.stderr)")
        let rows = try QueueReader(path: config.queuePath).auditEntries()
        #expect(rows.map(\.verb) == ["reveal"] && rows.first?.evaluationId == realName.evaluationId)
        #expect(rows.first?.actor.uid == UInt32(getuid()) && rows.first?.actor.via == .evalctl)
        let mirror = try String(contentsOfFile: (config.stateDirectory as NSString).appendingPathComponent("audit.log"), encoding: .utf8)
        #expect(mirror.contains("verb=reveal evaluationId=\(id) uid=\(getuid())"), "\(mirror)")
        #expect(!mirror.contains("王小明"))
    }
}
