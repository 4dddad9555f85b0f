#if canImport(Glibc)
import Glibc
#endif
import EvalAPIClient
import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue 24's measured scenarios, through the real daemon: a citizen's
/// identity never rides on another citizen's rating, and an ID card shown to
/// the scanner is never a case. What the platform received is read from
/// platform-sim's own store (`--store`), not from evald.
@Suite("whose rating it is, end to end", .serialized)
struct IdentityEndToEndTests {
    static let name = "李四"
    static let certKey = "533103199001011234"

    /// The records platform-sim accepted, as it received them.
    static func received(_ store: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: store, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    struct Running {
        let dir: TemporaryDirectory
        let sim: PlatformSimulatorProcess
        let config: TestConfig
        let keypad: Keypad
        let daemon: ChildProcess
        let store: String

        func stop() {
            keypad.close()
            daemon.stop()
            sim.stop()
            dir.remove()
        }
    }

    static func start(extra: String = "") async throws -> Running {
        let dir = try TemporaryDirectory(prefix: "evald-identity")
        let store = dir.path("platform.jsonl")
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret", arguments: ["--store", store])
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.extra = extra
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        try await keypad.connect(timeout: .seconds(10))
        return Running(dir: dir, sim: sim, config: config, keypad: keypad, daemon: daemon, store: store)
    }

    @Test func anIdentityScannedBeforeAnUnratedCaseStaysWithIt() async throws {
        let run = try await Self.start()
        defer { run.stop() }
        // Citizen QR, case A, nobody presses, case B, press 5.
        run.keypad.scan(#"{"type":"citizen","name":"\#(Self.name)","certKey":"\#(Self.certKey)","userProp":1}"#)
        run.keypad.scan("MS-2026-1207-000001")
        run.keypad.scan("MS-2026-1207-000002")
        run.keypad.press(5)

        #expect(await eventually(timeout: .seconds(20)) { Self.received(run.store).count == 1 }, "stderr:\n\(run.daemon.stderr)")
        let record = try #require(Self.received(run.store).first)
        #expect(record["projectNo"] as? String == "MS-2026-1207-000002")
        #expect(record["anonymityFlag"] as? Int == 1)
        #expect(record["userName"] == nil && record["certKey"] == nil, "\(record)")
        #expect(run.daemon.stderr.contains("identity of case MS-2026-1207-000001 dropped: its case ended"), "stderr:\n\(run.daemon.stderr)")
        #expect(!run.daemon.stderr.contains(Self.certKey) && !run.daemon.stderr.contains(Self.name))
    }

    @Test func anIDCardShownToTheScannerIsRefusedAndStoredNowhere() async throws {
        let run = try await Self.start()
        defer { run.stop() }
        let id = "533103197707073450"
        run.keypad.scan(id)
        run.keypad.press(4)

        #expect(await eventually(timeout: .seconds(20)) { Self.received(run.store).count == 1 }, "stderr:\n\(run.daemon.stderr)")
        let record = try #require(Self.received(run.store).first)
        #expect(record["projectNo"] == nil, "\(record)")
        #expect(run.daemon.stderr.contains("personal data refused: a resident ID number"), "stderr:\n\(run.daemon.stderr)")
        // Masked entirely: not even the county prefix reaches the journal.
        #expect(!run.daemon.stderr.contains("5331031977"))
        // Nothing of it is in the store's file or WAL (no case was opened).
        let reader = try QueueReader(path: run.config.queuePath)
        #expect(try reader.list(QueueListQuery(limit: 10)).allSatisfy { $0.evaluation.projectNo == nil })
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: run.config.queuePath + suffix) ?? Data()
            #expect(bytes.range(of: Data(id.utf8)) == nil, "queue file\(suffix)")
        }
        let shown = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"),
                                               arguments: ["case", id, "--json", "--config", run.config.configPath], directory: run.dir.url.path)
        let caseObject = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect(caseObject?["state"] as? String == "unknown", "\(shown)")
        #expect(caseObject?["openedAt"] is NSNull, "\(shown)")
    }

    @Test func theAPIsCitizenBelongsToItsServiceOnly() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-identity-api")
        let socket = dir.path("api.sock")
        let run = try await Self.start(extra: """
            [api]
            socket = "\(socket)"
            """)
        defer { run.stop(); dir.remove() }
        let api = LocalHTTPClient(.unix(socket))
        #expect(await eventually(timeout: .seconds(10)) { (try? api.request("GET", "/v1/windows").status) == 200 })

        // Service C with a citizen, replaced by D without one, press 4: D is anonymous.
        let c = try api.request("POST", "/v1/services", json: """
            {"windowCode":"W01","projectNo":"MS-2026-1207-C","citizen":{"userName":"赵六","certKey":"\(Self.certKey)","userProp":1}}
            """)
        #expect(c.status == 201, "\(c)")
        #expect(try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-1207-D"}"#).status == 201)
        run.keypad.press(4)
        #expect(await eventually(timeout: .seconds(20)) { Self.received(run.store).count == 1 }, "stderr:\n\(run.daemon.stderr)")
        let d = try #require(Self.received(run.store).first)
        #expect(d["projectNo"] as? String == "MS-2026-1207-D")
        #expect(d["anonymityFlag"] as? Int == 1 && d["userName"] == nil, "\(d)")

        // A citizen's service whose staff member logs out: the next case is anonymous.
        #expect(try api.request("PUT", "/v1/windows/W01/staff", json: #"{"loginName":"wangwu","name":"王五"}"#).status == 200)
        #expect(try api.request("POST", "/v1/services", json: """
            {"windowCode":"W01","projectNo":"MS-2026-1207-E","citizen":{"userName":"赵六","certKey":"\(Self.certKey)","userProp":1}}
            """).status == 201)
        #expect(try api.request("DELETE", "/v1/windows/W01/staff").status == 200)
        #expect(await eventually(timeout: .seconds(10)) { run.daemon.stderr.contains("identity of case MS-2026-1207-E dropped: its case ended (staff logged out)") },
                "stderr:\n\(run.daemon.stderr)")

        // A citizen's service whose countdown runs out: dropped with it.
        #expect(try api.request("POST", "/v1/services", json: """
            {"windowCode":"W01","projectNo":"MS-2026-1207-F","countdownSeconds":5,"citizen":{"userName":"赵六","certKey":"\(Self.certKey)","userProp":1}}
            """).status == 201)
        #expect(await eventually(timeout: .seconds(15)) { run.daemon.stderr.contains("identity of case MS-2026-1207-F dropped: its case ended (countdown ended)") },
                "stderr:\n\(run.daemon.stderr)")
        run.keypad.press(2)
        #expect(await eventually(timeout: .seconds(20)) { Self.received(run.store).count == 2 }, "stderr:\n\(run.daemon.stderr)")
        let last = try #require(Self.received(run.store).last)
        #expect(last["projectNo"] == nil && last["userName"] == nil && last["anonymityFlag"] as? Int == 1, "\(last)")

        // An ID number where the API expects a case is refused.
        let refused = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"533103197707073450"}"#)
        #expect(refused.status == 400, "\(refused)")
        #expect(!run.daemon.stderr.contains(Self.certKey) && !run.daemon.stderr.contains("赵六"))
    }
}
