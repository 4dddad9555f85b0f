import EvalAgent
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
    static func setUp(_ dir: TemporaryDirectory) async throws -> (PlatformSimulatorProcess, TestConfig, Keypad) {
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
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

    @Test(.enabled(if: Faketime.library != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func aClockIn2000IsCalledWrongAndItsEvaluationsAreHeld() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (sim, config, keypad) = try await Self.setUp(dir)
        defer { sim.stop() }
        // Only evald lives in 2000, as a counter PC whose RTC lost power.
        let environment = Faketime.preloadEnvironment(faketime: "@2000-01-01 08:00:00", library: Faketime.library!)
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], environment: environment,
                               directory: config.directory)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(30)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" },
                "stderr:\n\(daemon.stderr)")
        try await keypad.connect(timeout: .seconds(10))
        keypad.press(2)

        // The judgement is read live from /metrics, the count from the queue.
        // (Not from the status file: under libfaketime evald's later status
        // writes can stall — a timer problem of the preload, noted in issue 10.)
        var body = ""
        #expect(await eventually(timeout: .seconds(30)) {
            body = await Self.metrics(config)
            return body.contains("evald_clock_trusted{state=\"before-build-date\"} 0") && body.contains("evald_queue_time_uncertain_records 1")
        }, "\(body)\nstderr:\n\(daemon.stderr)")
        let clock = try await Self.clock(config)
        #expect(clock["timeUncertainRecords"] as? Int == 1, "\(clock)")
        #expect(clock["trusted"] as? Bool == false, "\(clock)")
        let human = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["status", "--config", config.configPath], directory: config.directory)
        #expect(human.stdout.contains("TIME UNCERTAIN: 1 record(s) held"), "\(human.stdout)")
        #expect(daemon.stderr.contains("wall clock: WRONG: the clock reads 2000-01-01"), "\(daemon.stderr)")
        // Held, not sent: the platform never files a rating under 2000.
        #expect(try await sim.stats().received == 0)
        keypad.close()
    }
}
