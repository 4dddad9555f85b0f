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

    /// SM2 end to end: the app secret file holds the agent's PEM SM2 key, the
    /// simulator verifies with its public half; records SM4-encrypted in a form post.
    @Test func sm2SignedSM4EncryptedFormArrivesOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let key = dir.path("sm2.pem"), pub = dir.path("sm2.pub.pem"), sm4 = dir.path("sm4.key")
        try Self.openssl(["genpkey", "-algorithm", "SM2", "-out", key])
        try Self.openssl(["pkey", "-in", key, "-pubout", "-out", pub])
        try Data("00112233445566778899aabbccddeeff\n".utf8).write(to: URL(fileURLWithPath: sm4))
        let definition = dir.path("form-sm2.json")
        try Data("""
        {
          "name": "form-sm2-sm4",
          "endpoint": "/push.do",
          "timeFormat": "yyyyMMddHHmmss",
          "fields": [
            {"name": "EVAL_ID", "from": "evaluationId"},
            {"name": "LEVEL", "from": "satisfaction", "map": {"5": "A", "4": "B", "3": "C", "2": "D", "1": "E"}},
            {"name": "TIME", "from": "assessTime", "dateFormat": "yyyyMMddHHmmss"},
            {"name": "AREA", "from": "areaCode"}, {"name": "DEPT", "from": "deptCode"}, {"name": "WIN", "from": "windowCode"},
            {"name": "DEV", "from": "deviceId"}, {"name": "TYPE", "from": "evaluationType"}, {"name": "NUM", "from": "assessNumber"},
            {"name": "PF", "from": "pf"}, {"name": "ANON", "from": "anonymityFlag"},
            {"name": "STAFF", "from": "evaluatedPersonInfo", "personKeys": {"loginName": "id", "name": "xm"}}
          ],
          "body": {"format": "form", "fields": [["appId", "${appKey}"], ["ts", "${time}"], ["nonce", "${nonce}"], ["data", "${records}"], ["sign", "${signature}"]]},
          "headers": [["Content-Type", "application/x-www-form-urlencoded"]],
          "signature": {"algorithm": "sm2-sm3", "string": "${appKey}|${time}|${nonce}|${records}", "encoding": "base64"},
          "encryption": {"algorithm": "sm4-cbc", "key": {"file": "\(sm4)"}, "iv": "000102030405060708090a0b0c0d0e0f", "encoding": "base64"},
          "response": {"statuses": {"400": "malformed", "401": "unauthorized", "429": "throttled", "503": "throttled"},
                       "batch": {"body": "code", "reason": "message"}, "accepted": ["0000"], "duplicate": ["0001"], "rejected": ["1000"]}
        }
        """.utf8).write(to: URL(fileURLWithPath: definition))
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "unused",
                                                           arguments: ["--adapter", definition, "--sm2-public-key", pub])
        defer { sim.stop() }
        try await sim.setFaults(#"{"errorRates": {"500": 0.2}, "dropRate": 0.15, "garbageRate": 0.1, "seed": 2}"#)
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.adapter = definition
        try config.write()
        try FileManager.default.removeItem(atPath: config.secretPath)
        try FileManager.default.copyItem(atPath: key, toPath: config.secretPath)
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        for i in 0..<15 {
            keypad.press(1 + i % 5)
            try await Task.sleep(for: .milliseconds(60))
        }
        keypad.close()
        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.stats().unique) ?? 0) >= 5 }, "stderr:\n\(daemon.stderr)")
        try await sim.clearFaults()
        #expect(await eventually(timeout: .seconds(40)) { (try? PipelineEndToEndTests.queueIds(config).undelivered) == 0 }, "stderr:\n\(daemon.stderr)")
        let queue = try PipelineEndToEndTests.queueIds(config)
        let platform = try await sim.uniqueIds()
        #expect(Set(platform) == queue.all && platform.count == Set(platform).count, "platform \(platform.count) vs queue \(queue.all.count)")
        let stats = try await sim.stats()
        #expect(stats.unauthorized == 0 && stats.rejected == 0, "\(stats)")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments)")
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

        // An sm2-sm3 definition with a plain secret: the secret must be the PEM SM2 key.
        let sm2 = dir.path("sm2.json")
        try Data("""
        {
          "name": "sm2", "endpoint": "/push",
          "fields": [{"name": "id", "from": "evaluationId"}],
          "body": {"format": "json", "template": {"data": "${records}", "sign": "${signature}"}},
          "signature": {"algorithm": "sm2-sm3", "string": "${records}"},
          "response": {"batch": {"body": "code"}, "accepted": ["0"], "rejected": ["1"]}
        }
        """.utf8).write(to: URL(fileURLWithPath: sm2))
        config.adapter = sm2
        try config.write()
        let plain = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath],
                                               directory: dir.url.path)
        #expect(plain.status == 1 && plain.stdout.contains("must hold a PEM SM2 private key"), "\(plain.stdout)")
        #expect(!plain.stdout.contains("test-secret"), "the secret itself is never printed")

        config.adapter = Self.definition("national-v2-sm3.json")
        try config.write()
        let good = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath],
                                              directory: dir.url.path)
        #expect(!good.stdout.contains("adapter definition"), "\(good.stdout)")
    }
}
