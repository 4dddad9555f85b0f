#if canImport(Glibc)
import Glibc
#endif
import EvalAPIClient
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// The counter API of a real evald: a business system opens a service over
/// the Unix socket, the citizen presses the simulated keypad, the `rated`
/// event arrives over SSE and the evaluation reaches platform-sim once.
@Suite("counter API end to end", .serialized)
struct CounterAPIEndToEndTests {
    struct Running {
        let dir: TemporaryDirectory
        let sim: PlatformSimulatorProcess
        let config: TestConfig
        let keypad: Keypad
        let daemon: ChildProcess
        let api: LocalHTTPClient
        var socketPath: String { (dir.url.path as NSString).appendingPathComponent("api.sock") }

        func stop() {
            keypad.close()
            daemon.stop()
            sim.stop()
            dir.remove()
        }
    }

    static let token = "test-api-token-0123456789"

    static func start(apiExtra: String = "", tcpPort: Int? = nil) async throws -> Running {
        let dir = try TemporaryDirectory(prefix: "evald-api")
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        let socket = (dir.url.path as NSString).appendingPathComponent("api.sock")
        let tokenFile = (dir.url.path as NSString).appendingPathComponent("api-token")
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let listen = tcpPort.map { "listen = \"127.0.0.1:\($0)\"\ntoken_file = \"\(tokenFile)\"" } ?? ""
        config.extra = """
        [api]
        socket = "\(socket)"
        \(listen)
        \(apiExtra)
        """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        try await keypad.connect(timeout: .seconds(10))
        let api = LocalHTTPClient(.unix(socket))
        #expect(await eventually(timeout: .seconds(10)) { (try? api.request("GET", "/v1/windows").status) == 200 }, "stderr:\n\(daemon.stderr)")
        return Running(dir: dir, sim: sim, config: config, keypad: keypad, daemon: daemon, api: api)
    }

    static func evaluations(_ config: TestConfig) throws -> [Evaluation] {
        try QueueReader(path: config.queuePath).list(QueueListQuery(limit: 1_000, order: .oldestFirst)).map(\.evaluation)
    }

    @Test func anOpenedServiceIsRatedByAPressAndReachesThePlatformOnce() async throws {
        let run = try await Self.start()
        defer { run.stop() }
        let events = try EventStreamClient(run.api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))

        let opened = try run.api.request("POST", "/v1/services", json: """
            {"windowCode":"W01","projectNo":"MS-2026-API-0001","taskCode":"T0001","taskName":"营业执照",
             "staff":{"loginName":"lisi","name":"李四"},
             "citizen":{"userName":"王小明","certKey":"533103199001011234","userProp":1},"countdownSeconds":60}
            """)
        #expect(opened.status == 201, "\(opened)")
        let serviceId = try #require(opened.json?["serviceId"] as? String)
        #expect(opened.json?["state"] as? String == "waiting")
        #expect(try run.api.request("GET", "/v1/services/\(serviceId)").json?["state"] as? String == "waiting")

        run.keypad.press(2)
        let rated = try #require(events.next("rated", timeout: .seconds(20)), "stderr:\n\(run.daemon.stderr)")
        #expect(rated.json["serviceId"] == serviceId)
        #expect(rated.json["satisfaction"] == "2")
        let evaluationId = try #require(rated.json["evaluationId"])

        let shown = try run.api.request("GET", "/v1/services/\(serviceId)")
        #expect(shown.json?["state"] as? String == "rated")
        #expect(shown.json?["evaluationId"] as? String == evaluationId)

        // The platform gets it exactly once, with the case, staff and the real-name evaluator.
        #expect(await eventually(timeout: .seconds(20)) { (try? await run.sim.stats().unique) == 1 })
        #expect(try await run.sim.uniqueIds() == [evaluationId])
        let stats = try await run.sim.stats()
        #expect(stats.duplicates == 0 && stats.received == 1)
        let stored = try Self.evaluations(run.config)
        #expect(stored.count == 1)
        #expect(stored.first?.projectNo == "MS-2026-API-0001")
        #expect(stored.first?.evaluatedPersons.first?.loginName == "lisi")
        #expect(stored.first?.evaluator?.certKey.revealed == "533103199001011234")
        #expect(stored.first?.isBadReview == true)

        // A second press is a repeat; reopening the rated case is refused with its evaluation.
        try await Task.sleep(for: .milliseconds(120))
        run.keypad.press(5)
        let again = try run.api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-API-0001"}"#)
        #expect(again.status == 409, "\(again)")
        #expect((again.json?["error"] as? [String: Any])?["evaluationId"] as? String == evaluationId)
        #expect(await eventually(timeout: .seconds(10)) { run.daemon.stderr.contains("press filtered (repeat)") })
        #expect(try Self.evaluations(run.config).count == 1)

        // Identity data never reaches the journal in clear.
        #expect(!run.daemon.stderr.contains("533103199001011234") && !run.daemon.stderr.contains("王小明"))
        // The bad review went to the 台账, as for a scanned case.
        let bad = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: ["bad-reviews", "--json", "--config", run.config.configPath],
                                      directory: run.dir.url.path)
        #expect(bad.stdout.contains("MS-2026-API-0001"), "\(bad)")

        run.daemon.send(SIGTERM)
        #expect(try await run.daemon.waitForExit(timeout: .seconds(25)) == 0)
        #expect(events.waitUntilClosed(timeout: .seconds(5)), "the event stream ends at shutdown")
    }

    @Test func cancelAndExpiryStopTheCounterWaitingForTheCase() async throws {
        let run = try await Self.start()
        defer { run.stop() }
        let events = try EventStreamClient(run.api, path: "/v1/events")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))

        #expect(try run.api.request("PUT", "/v1/windows/W01/staff", json: #"{"loginName":"wangwu","name":"王五"}"#).status == 200)
        let windows = try run.api.request("GET", "/v1/windows").json?["windows"] as? [[String: Any]]
        #expect((windows?.first?["staff"] as? [String: Any])?["loginName"] as? String == "wangwu")

        let first = try run.api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-CANCEL-1"}"#)
        let firstId = try #require(first.json?["serviceId"] as? String)
        // Reopening replaces the waiting service.
        let second = try run.api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-CANCEL-2"}"#)
        let secondId = try #require(second.json?["serviceId"] as? String)
        let replaced = events.next("cancelled", matching: { $0.json["serviceId"] == firstId }, timeout: .seconds(10))
        #expect(replaced?.json["reason"] == "replaced")
        let listed = try run.api.request("GET", "/v1/windows").json?["windows"] as? [[String: Any]]
        #expect((listed?.first?["waitingService"] as? [String: Any])?["serviceId"] as? String == secondId)

        let cancelled = try run.api.request("DELETE", "/v1/services/\(secondId)")
        #expect(cancelled.status == 200 && cancelled.json?["state"] as? String == "cancelled", "\(cancelled)")
        #expect(events.next("cancelled", matching: { $0.json["serviceId"] == secondId }, timeout: .seconds(10)) != nil)

        // The shortest countdown, 5 s: waited for as an event, not slept on.
        let third = try run.api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-EXPIRE-3","countdownSeconds":5}"#)
        let thirdId = try #require(third.json?["serviceId"] as? String)
        #expect(events.next("expired", matching: { $0.json["serviceId"] == thirdId }, timeout: .seconds(30)) != nil)
        #expect(try run.api.request("GET", "/v1/services/\(thirdId)").json?["state"] as? String == "expired")

        // Neither the cancelled nor the expired case takes the next press: it is an anonymous rating.
        run.keypad.press(4)
        #expect(await eventually(timeout: .seconds(20)) { (try? Self.evaluations(run.config).count) == 1 })
        let stored = try Self.evaluations(run.config)
        #expect(stored.first?.projectNo == nil)
        #expect(stored.first?.evaluatedPersons.first?.loginName == "wangwu", "PUT staff logged them in")
        // The three cases stay open in the ledger for their default rating.
        let ledger = try QueueReader(path: run.config.queuePath)
        for projectNo in ["MS-CANCEL-1", "MS-CANCEL-2", "MS-EXPIRE-3"] {
            #expect(try ledger.caseState(of: projectNo) == .open, "\(projectNo)")
        }
        #expect(try run.api.request("DELETE", "/v1/windows/W01/staff").status == 200)
    }

    @Test func evalctlServiceVerbsGoThroughTheSocket() async throws {
        let run = try await Self.start()
        defer { run.stop() }
        let socketArgs = ["--socket", run.socketPath]
        let evalctl = try BuiltProducts.executable(named: "evalctl").path
        let watch = try ChildProcess(URL(fileURLWithPath: evalctl), arguments: ["service", "watch", "W01", "--count", "1", "--json"] + socketArgs, directory: run.dir.url.path)
        defer { watch.stop() }
        #expect(await eventually(timeout: .seconds(10)) { watch.stderr.contains("watching") }, "\(watch.stderr)")

        let opened = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "open", "W01", "MS-CTL-1", "--countdown", "60", "--json"] + socketArgs,
                                         directory: run.dir.url.path)
        #expect(opened.status == 0, "\(opened)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(opened.stdout.utf8)) as? [String: Any])?["serviceId"] as? String)
        let shown = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "show", id] + socketArgs, directory: run.dir.url.path)
        #expect(shown.stdout.contains("waiting"), "\(shown)")
        run.keypad.press(5)
        #expect(try await watch.waitForExit(timeout: .seconds(20)) == 0)
        #expect(watch.stdout.contains("\"event\":\"rated\"") && watch.stdout.contains(id), "\(watch.stdout)")
        let rated = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "show", id] + socketArgs, directory: run.dir.url.path)
        #expect(rated.stdout.contains("rated") && rated.stdout.contains("satisfaction 5"), "\(rated)")
        let cancel = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "cancel", id] + socketArgs, directory: run.dir.url.path)
        #expect(cancel.status != 0 && cancel.stderr.contains("not-waiting"), "\(cancel)")
        let again = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "open", "W01", "MS-CTL-1"] + socketArgs, directory: run.dir.url.path)
        #expect(again.status != 0 && again.stderr.contains("already-rated"), "\(again)")
        let absent = try await ChildProcess.run(URL(fileURLWithPath: evalctl), arguments: ["service", "show", id, "--socket", run.dir.path("nothing.sock")], directory: run.dir.url.path)
        #expect(absent.status != 0 && absent.stderr.contains("cannot reach evald's counter API"), "\(absent)")
    }

    @Test func badInputGetsClearErrorsAndStoresNothing() async throws {
        let port = freeLoopbackPort()
        let run = try await Self.start(apiExtra: """
            allowed_origins = ["http://127.0.0.1:8080"]
            open_burst = 3
            opens_per_second = 1
            max_body_bytes = 2048
            """, tcpPort: port)
        defer { run.stop() }
        func code(_ response: LocalHTTPClient.Response) -> String? { (response.json?["error"] as? [String: Any])?["code"] as? String }
        let api = run.api

        #expect(code(try api.request("POST", "/v1/services", json: "{\"windowCode\":")) == "malformed-json")
        let unknownWindow = try api.request("POST", "/v1/services", json: #"{"windowCode":"W99","projectNo":"MS-X-1"}"#)
        #expect(unknownWindow.status == 404 && code(unknownWindow) == "unknown-window")
        let missing = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01"}"#)
        #expect(missing.status == 400 && (missing.json?["error"] as? [String: Any])?["message"] as? String == "projectNo is required")
        let unknownField = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-X-2","projectno":"MS-X-2"}"#)
        #expect(unknownField.status == 400 && code(unknownField) == "unknown-field")
        let big = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-X-3","taskName":"\#(String(repeating: "长", count: 2000))"}"#)
        #expect(big.status == 413 && code(big) == "body-too-large", "\(big)")
        #expect(try api.request("GET", "/v1/services/nope").status == 404)
        #expect(code(try api.request("GET", "/v1/nothing")) == "not-found")

        // TCP: the bearer token, and CORS for the configured origin only.
        let tcp = LocalHTTPClient(.tcp(port: port))
        #expect(await eventually(timeout: .seconds(10)) { (try? tcp.request("GET", "/v1/windows").status) == 401 })
        #expect(try tcp.request("GET", "/v1/windows", headers: ["Authorization": "Bearer wrong-wrong-wrong-wrong"]).status == 401)
        #expect(try tcp.request("GET", "/v1/windows", headers: ["Authorization": "Bearer \(Self.token)"]).status == 200)
        let preflight = try tcp.request("OPTIONS", "/v1/services", headers: [
            "Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type", "Access-Control-Request-Private-Network": "true"])
        #expect(preflight.status == 204, "\(preflight)")
        #expect(preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:8080")
        #expect(preflight.headers["access-control-allow-private-network"] == "true")
        let evil = try tcp.request("OPTIONS", "/v1/services", headers: ["Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"])
        #expect(evil.status == 403 && evil.headers["access-control-allow-origin"] == nil)
        let evilGet = try tcp.request("GET", "/v1/windows", headers: ["Origin": "https://evil.example.com", "Authorization": "Bearer \(Self.token)"])
        #expect(evilGet.status == 403)

        #expect(try Self.evaluations(run.config).isEmpty)
        let ledger = try QueueReader(path: run.config.queuePath)
        for projectNo in ["MS-X-1", "MS-X-2", "MS-X-3"] { #expect(try ledger.caseState(of: projectNo) == .unknown, "\(projectNo)") }

        // A flood of opens at one window: the burst, then 429 with Retry-After.
        var statuses: [Int] = []
        for i in 0..<6 {
            statuses.append(try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-FLOOD-\#(i)"}"#).status)
        }
        #expect(statuses.filter { $0 == 201 }.count >= 3 && statuses.suffix(2) == [429, 429], "\(statuses)")
        let limited = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-FLOOD-9"}"#)
        #expect(limited.status == 429 && limited.headers["retry-after"] != nil)
        #expect(try ledger.caseState(of: "MS-FLOOD-9") == .unknown)
    }
}

@Suite("counter API follows docs/api/openapi.json", .serialized)
struct CounterAPIContractTests {
    @Test func everyOperationsAnswersFollowTheDocument() async throws {
        let contract = try OpenAPIContract()
        let run = try await CounterAPIEndToEndTests.start()
        defer { run.stop() }
        var covered: Set<String> = []
        var problems: [String] = []
        func call(_ method: String, _ path: String, _ template: String, json: String? = nil, expect status: Int) throws -> LocalHTTPClient.Response {
            let response = try run.api.request(method, path, json: json)
            if response.status != status { problems.append("\(method) \(path): \(response.status), expected \(status): \(response.text)") }
            problems += contract.problems(method, template, status: response.status, body: response.body, contentType: response.headers["content-type"])
            covered.insert("\(method) \(template)")
            return response
        }

        _ = try call("GET", "/v1/windows", "/v1/windows", expect: 200)
        _ = try call("PUT", "/v1/windows/W01/staff", "/v1/windows/{windowCode}/staff", json: #"{"loginName":"lisi","name":"李四"}"#, expect: 200)
        _ = try call("PUT", "/v1/windows/W09/staff", "/v1/windows/{windowCode}/staff", json: #"{"loginName":"lisi"}"#, expect: 404)
        _ = try call("PUT", "/v1/windows/W01/staff", "/v1/windows/{windowCode}/staff", json: #"{"name":"李四"}"#, expect: 400)
        let opened = try call("POST", "/v1/services", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-OAS-1","taskName":"营业执照"}"#, expect: 201)
        let id = try #require(opened.json?["serviceId"] as? String)
        _ = try call("GET", "/v1/windows", "/v1/windows", expect: 200)  // now with a waiting service
        _ = try call("GET", "/v1/services/\(id)", "/v1/services/{serviceId}", expect: 200)
        _ = try call("GET", "/v1/services/unknown", "/v1/services/{serviceId}", expect: 404)
        _ = try call("POST", "/v1/services", "/v1/services", json: "{", expect: 400)
        _ = try call("POST", "/v1/services", "/v1/services", json: #"{"windowCode":"W09","projectNo":"MS-OAS-2"}"#, expect: 404)
        _ = try call("DELETE", "/v1/services/\(id)", "/v1/services/{serviceId}", expect: 200)
        _ = try call("DELETE", "/v1/services/\(id)", "/v1/services/{serviceId}", expect: 409)
        _ = try call("DELETE", "/v1/services/unknown", "/v1/services/{serviceId}", expect: 404)

        // Rated: the press, then the service and a refused reopen.
        let events = try EventStreamClient(run.api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))
        let second = try call("POST", "/v1/services", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-OAS-3"}"#, expect: 201)
        let secondId = try #require(second.json?["serviceId"] as? String)
        run.keypad.press(5)
        let rated = try #require(events.next("rated", timeout: .seconds(20)))
        problems += contract.check(try JSONSerialization.jsonObject(with: Data(rated.data.utf8)),
                                   against: ["$ref": "#/components/schemas/Event"], at: "event rated")
        problems += contract.check(try JSONSerialization.jsonObject(with: Data(rated.data.utf8)),
                                   against: ["$ref": "#/components/schemas/Service"], at: "event rated as Service")
        _ = try call("GET", "/v1/services/\(secondId)", "/v1/services/{serviceId}", expect: 200)
        // No detail window in this configuration: the reasons are not awaited.
        _ = try call("POST", "/v1/services/\(secondId)/detail", "/v1/services/{serviceId}/detail", json: #"{"evalDetail":"510"}"#, expect: 409)
        _ = try call("POST", "/v1/services/\(secondId)/detail", "/v1/services/{serviceId}/detail", json: #"{"mood":"ok"}"#, expect: 400)
        _ = try call("POST", "/v1/services/unknown/detail", "/v1/services/{serviceId}/detail", json: #"{"evalDetail":"510"}"#, expect: 404)
        // No follow_up_days in this configuration: a 追评 is refused.
        _ = try call("POST", "/v1/follow-ups", "/v1/follow-ups", json: #"{"windowCode":"W01","projectNo":"MS-OAS-3","satisfaction":4}"#, expect: 409)
        _ = try call("POST", "/v1/follow-ups", "/v1/follow-ups", json: #"{"windowCode":"W01","projectNo":"MS-OAS-3"}"#, expect: 400)
        _ = try call("POST", "/v1/services", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-OAS-3"}"#, expect: 409)
        _ = try call("DELETE", "/v1/windows/W01/staff", "/v1/windows/{windowCode}/staff", expect: 200)
        _ = try call("DELETE", "/v1/windows/W09/staff", "/v1/windows/{windowCode}/staff", expect: 404)
        // The event stream's status and type (its body is the stream itself).
        let unknownStream = try call("GET", "/v1/events?windowCode=W09", "/v1/events", expect: 404)
        #expect(unknownStream.status == 404)
        covered.insert("GET /v1/events")
        #expect(events.received.count >= 1)

        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let documented = Set(contract.operations.map { "\($0.method) \($0.path)" })
        #expect(documented.subtracting(covered).isEmpty, "not exercised: \(documented.subtracting(covered).sorted())")
    }
}
