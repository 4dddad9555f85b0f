import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 10, item 4: `evalctl status` and `/metrics` say whether the wall
/// clock dates evaluations right. Last round status said `clock: unknown` in
/// every phase, with a good clock too.
@Suite("the clock's judgement in status and metrics", .serialized)
struct ClockStatusTests {
    static func status(_ config: TestConfig) async throws -> [String: Any] {
        let run = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--json", "--config", config.configPath],
                                      directory: config.directory)
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\(run.stderr)")
    }

    static func clock(_ config: TestConfig) async throws -> [String: Any] {
        try await status(config)["clock"] as? [String: Any] ?? [:]
    }

    static func metrics(_ config: TestConfig) async -> String {
        let url = URL(string: "http://127.0.0.1:\(config.metricsPort!)/metrics")!
        return (try? await URLSession.shared.data(from: url)).map { String(decoding: $0.0, as: UTF8.self) } ?? ""
    }

    /// The simulator as the platform, a config with metrics on loopback, and the keypad FIFO.
    static func setUp(_ dir: TemporaryDirectory, simulator arguments: [String] = []) async throws -> (PlatformSimulatorProcess, TestConfig, Keypad) {
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret", arguments: arguments)
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.metricsPort = freeLoopbackPort()
        try config.write()
        return (sim, config, try Keypad(path: config.fifoPath))
    }

    @Test func aRightClockIsTrustedOnceThePlatformAnswers() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (sim, config, keypad) = try await Self.setUp(dir)
        defer { sim.stop() }
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        keypad.press(1)
        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.stats().unique) ?? 0) == 1 })

        // The kernel may or may not report NTP here; the platform's Date agreeing is enough.
        var clock: [String: Any] = [:]
        #expect(await eventually(timeout: .seconds(30)) {
            clock = (try? await Self.clock(config)) ?? [:]
            return clock["trusted"] as? Bool == true
        }, "\(clock)")
        #expect(["kernel-synchronized", "platform-agrees"].contains(clock["state"] as? String ?? ""), "\(clock)")
        #expect(clock["timeUncertainRecords"] as? Int == 0)
        if clock["state"] as? String == "platform-agrees" {
            let offset = try #require(clock["platformOffsetSeconds"] as? Double, "\(clock)")
            #expect(abs(offset) < 5)
        }
        let body = await Self.metrics(config)
        #expect(body.contains("evald_clock_trusted{state=\"\(clock["state"] as? String ?? "")\"} 1"), "\(body)")
        #expect(body.contains("evald_queue_time_uncertain_records 0"))
        keypad.close()
    }

    /// The assessTime of every record the platform accepted (`--store` file), in arrival order.
    static func assessTimes(_ store: String) -> [String] {
        let text = (try? String(contentsOfFile: store, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["assessTime"] as? String
        }
    }

    @Test(.enabled(if: Faketime.library != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func aBootWithTheClockIn2000ReachesThePlatformWithReconstructedTimes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path("platform.jsonl")
        let (sim, config, keypad) = try await Self.setUp(dir, simulator: ["--store", store])
        defer { sim.stop() }
        // Only evald lives in 2000, as a counter PC whose RTC lost power; the platform's clock is right.
        let environment = Faketime.preloadEnvironment(faketime: "@2000-01-01 08:00:00", library: Faketime.library!)
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], environment: environment,
                               directory: config.directory)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(30)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" },
                "stderr:\n\(daemon.stderr)")
        try await keypad.connect(timeout: .seconds(10))
        let pressed = Date()
        keypad.press(2)

        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.stats().unique) ?? 0) == 1 }, "stderr:\n\(daemon.stderr)")
        // Filed under the time of the press (the platform's clock minus boottime elapsed), never under 2000.
        let times = Self.assessTimes(store)
        #expect(times.count == 1, "\(times)")
        let filed = try #require(times.first.flatMap(ShanghaiTime.parse), "\(times)")
        #expect(abs(filed.timeIntervalSince(pressed)) < 60, "filed \(times) for a press at \(ShanghaiTime.format(pressed))")
        #expect(daemon.stderr.contains("wall clock: WRONG"), "\(daemon.stderr)")
        // The platform's clock was asked before the batch went: no 401 for the timestamp first.
        #expect(!daemon.stderr.contains("REFUSES OUR CREDENTIALS"), "\(daemon.stderr)")
        let body = await Self.metrics(config)
        #expect(body.contains("evald_queue_time_uncertain_records 0"), "\(body)")
        keypad.close()
    }

    @Test func anEvaluationFromAnEarlierBootWithoutTrustedTimeIsHeldUntilAnOperatorReleasesIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (sim, config, keypad) = try await Self.setUp(dir)
        defer { sim.stop() }
        keypad.close()
        // Made yesterday in another boot, by a clock nothing vouched for (no NTP, the platform unreachable).
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        var uncertain = EvalctlTests.evaluation(.satisfied)
        uncertain.assessedAt = Date() - 86_400
        uncertain.recordedTime = RecordedTime(bootID: "an-earlier-boot", boot: 120, trusted: false)
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        try await queue.enqueue(uncertain)
        queue.close()

        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        var body = ""
        #expect(await eventually(timeout: .seconds(30)) {
            body = await Self.metrics(config)
            return body.contains("evald_queue_time_uncertain_records 1")
        }, "\(body)\nstderr:\n\(daemon.stderr)")
        let human = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--config", config.configPath],
                                               directory: config.directory)
        #expect(human.stdout.contains("TIME UNCERTAIN: 1 record(s) held"), "\(human.stdout)")
        #expect(try await sim.stats().received == 0)

        // The operator checks the time and releases it: sent as stamped, audit-logged.
        let release = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"),
                                                 arguments: ["queue", "release", uncertain.evaluationId.description, "--yes", "--config", config.configPath],
                                                 directory: config.directory)
        #expect(release.status == 0, "\(release.stdout)\(release.stderr)")
        #expect(release.stdout.contains("released"), "\(release.stdout)")
        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.uniqueIds()) ?? []) == [uncertain.evaluationId.description] })
        let audit = (try? String(contentsOfFile: AuditLog(stateDirectory: config.stateDirectory).path, encoding: .utf8)) ?? ""
        #expect(audit.contains("release"), "\(audit)")
        // A record that is not held has nothing to release.
        let again = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"),
                                               arguments: ["queue", "release", uncertain.evaluationId.description, "--yes", "--config", config.configPath],
                                               directory: config.directory)
        #expect(again.status != 0 && (again.stdout + again.stderr).contains("nothing to release"), "\(again.stdout)\(again.stderr)")
    }
}
