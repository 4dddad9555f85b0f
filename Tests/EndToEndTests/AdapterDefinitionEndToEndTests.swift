import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// evald as a real process → platform-sim playing the same adapter
/// definition (issue 26): both shipped definitions, with faults on, lose
/// nothing and double nothing; `--check-config` places a definition's errors.
@Suite("adapter definitions end to end", .serialized)
struct AdapterDefinitionEndToEndTests {
    static func definition(_ name: String) -> String {
        BuiltProducts.packageRoot.appendingPathComponent("config/adapters/\(name)").path
    }

    @Test(arguments: ["evald-json-1.json", "national-v2-sm3.json"])
    func aFaultyPlatformGetsEveryEvaluationOnce(_ name: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret",
                                                           arguments: ["--adapter", Self.definition(name)])
        defer { sim.stop() }
        // Errors, throttling with Retry-After, dropped connections after storing, garbage 200s: seeded, so a failure replays.
        try await sim.setFaults(#"{"errorRates": {"500": 0.15, "503": 0.1}, "throttleRate": 0.1, "retryAfterSeconds": 1, "dropRate": 0.15, "garbageRate": 0.1, "latencyMs": 10, "seed": 26}"#)
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.adapter = Self.definition(name)
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        for i in 0..<30 {
            keypad.press(1 + i % 5)
            try await Task.sleep(for: .milliseconds(60))
        }
        keypad.close()
        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.stats().unique) ?? 0) >= 10 }, "stderr:\n\(daemon.stderr)")
        try await sim.clearFaults()
        #expect(await eventually(timeout: .seconds(40)) { (try? PipelineEndToEndTests.queueIds(config).undelivered) == 0 }, "stderr:\n\(daemon.stderr)")
        let queue = try PipelineEndToEndTests.queueIds(config)
        #expect(queue.all.count >= 10, "presses lost before the queue: \(queue.all.count)")
        let platform = try await sim.uniqueIds()
        #expect(Set(platform) == queue.all, "platform \(platform.count) vs queue \(queue.all.count)")
        #expect(platform.count == Set(platform).count, "a duplicate stored twice")
        let stats = try await sim.stats()
        #expect(stats.unique == queue.all.count && stats.rejected == 0 && stats.unauthorized == 0, "\(stats)")
        #expect(stats.injectedErrors + stats.throttled + stats.dropped + stats.garbage > 0, "no fault was drawn: \(stats)")
        let records = try QueueReader(path: config.queuePath).list(QueueListQuery(limit: 100))
        #expect(records.allSatisfy { $0.state == .delivered }, "\(records.map(\.state))")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
    }

    /// A technician rehearsing a province: `evalctl selftest` speaks the configured definition.
    @Test func selftestSpeaksTheConfiguredDefinition() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret",
                                                           arguments: ["--adapter", Self.definition("national-v2-sm3.json")])
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.adapter = Self.definition("national-v2-sm3.json")
        try config.write()
        let run = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["selftest", "--config", config.configPath],
                                             directory: dir.url.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let stats = try await sim.stats()
        #expect(stats.malformed == 1 && stats.unauthorized == 1 && stats.received == 0, "\(stats)")
    }

    @Test func checkConfigNamesTheDefinitionsFileKeyAndLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let broken = dir.path("province.json")
        try Data("""
        {
          "name": "province",
          "endpoint": "/push",
          "fields": [{"name": "id", "from": "evaluationID"}],
          "body": {"format": "json", "template": {"data": "${records}"}},
          "response": {"batch": {"body": "code"}, "accepted": ["0"], "rejected": ["1"]}
        }
        """.utf8).write(to: URL(fileURLWithPath: broken))
        var config = TestConfig(directory: dir.url.path)
        config.adapter = broken
        try config.write()
        let check = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath],
                                               directory: dir.url.path)
        #expect(check.status == 1, "\(check)")
        #expect(check.stdout.contains("\(broken):4: fields[0].from: \"evaluationID\" is not an evald field"), "\(check.stdout)")
        #expect(check.stdout.contains("adapter"), "\(check.stdout)")

        config.adapter = Self.definition("national-v2-sm3.json")
        try config.write()
        let good = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath],
                                              directory: dir.url.path)
        #expect(!good.stdout.contains("adapter definition"), "\(good.stdout)")
    }
}
