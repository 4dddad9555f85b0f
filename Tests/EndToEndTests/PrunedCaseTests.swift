import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// "One service, one evaluation" outlives the queue's retention: the real
/// daemon rates a case (scan and press back to back, as a keypad flushes
/// them), delivers it, is killed (SIGKILL), and comes back under libfaketime
/// three days later with a one-day retention. Its housekeeping at start
/// prunes the delivered record; the case's settled row must be left behind
/// (migration ledger-008: a case rated in the batch that scanned it has no
/// row until then), so the same ticket scanned again is a repeat and the
/// platform still holds one evaluation of it.
@Suite("a pruned case stays rated", .serialized)
struct PrunedCaseTests {
    static func shanghai(_ text: String) -> Date { ShanghaiTime.parse(text)! }

    @Test(.enabled(if: Faketime.library != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func aCaseWhoseRatingWasPrunedCannotBeRatedAgain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = try Faketime.SharedClock(path: dir.path("faketime"), library: Faketime.library!,
                                             start: Self.shanghai("2026-12-01 10:00:00"), kernelSynchronized: true)
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret", arguments: [],
                                                           environment: try Faketime.SharedClock(path: clock.path, library: clock.library,
                                                                                                 start: Self.shanghai("2026-12-01 10:00:00")).environment)
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.extra = "[queue]\ndelivered_retention_days = 1"
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        defer { keypad.close() }
        func startDaemon() async throws -> ChildProcess {
            let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath],
                                          environment: clock.environment, directory: config.directory)
            #expect(await eventually(timeout: .seconds(60)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" },
                    "stderr:\n\(daemon.stderr)")
            try await keypad.connect(timeout: .seconds(10))
            return daemon
        }
        let ticket = "MS-2026-1201-000001"
        func ledgerRow() throws -> (state: String?, evaluationId: String?)? {
            let db = try Connection(path: config.queuePath, mode: .readOnly)
            return try db.prepare("SELECT state, evaluation_id FROM ledger_cases WHERE project_no = ?")
                .rows([ticket]) { ($0.column(0, as: String.self), $0.column(1, as: String.self)) }.first
        }
        func count(_ sql: String) -> Int {
            (try? Connection(path: config.queuePath, mode: .readOnly).scalar(sql, as: Int.self)) ?? -1
        }

        // Tuesday: the citizen rates the case; the platform has it.
        let first = try await startDaemon()
        keypad.scan(ticket)
        keypad.press(5)
        #expect(await eventually(timeout: .seconds(60)) { ((try? await sim.stats().unique) ?? 0) == 1 }, "stderr:\n\(first.stderr)")
        #expect(await eventually(timeout: .seconds(30)) { count("SELECT count(*) FROM evaluations WHERE state = 'delivered'") == 1 })
        let rated = try #require(try await sim.uniqueIds().first)
        first.stop()  // SIGKILL
        keypad.close()

        // Friday, retention one day: housekeeping at start prunes the delivered record.
        try clock.set(Self.shanghai("2026-12-04 10:00:00"))
        let second = try await startDaemon()
        defer { second.stop() }
        #expect(await eventually(timeout: .seconds(60)) { count("SELECT count(*) FROM evaluations") == 0 }, "stderr:\n\(second.stderr)")
        let row = try #require(try ledgerRow(), "the case's settled row outlives its evaluation")
        #expect(row.state == "rated")
        #expect(row.evaluationId == rated)

        // The same ticket again: a repeat, kept for audit, never sent.
        keypad.scan(ticket)
        keypad.press(1)
        #expect(await eventually(timeout: .seconds(60)) {
            count("SELECT count(*) FROM filtered_presses WHERE reason = 'repeat' AND project_no = '\(ticket)'") == 1
        }, "stderr:\n\(second.stderr)")
        #expect(count("SELECT count(*) FROM evaluations") == 0, "no second evaluation of the case")
        #expect(try await sim.stats().unique == 1)
    }
}
