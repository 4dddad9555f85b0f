import EvalAPIClient
import EvalCore
import EvalTesting
import Foundation
import Testing

/// Issue 26 end to end: the real daemon, platform-sim and the counter API.
/// A bad review's reasons and the case's national fields, sent through the
/// API, reach the platform with the evaluation, which was held for them.
@Suite("reasons through the counter API", .serialized)
struct ReasonEndToEndTests {
    @Test func aBadReviewIsHeldForItsReasonsAndSentWithThem() async throws {
        let run = try await CounterAPIEndToEndTests.start(apiExtra: "detail_window_seconds = 300\nfollow_up_days = 15")
        defer { run.stop() }
        let events = try EventStreamClient(run.api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        #expect(events.waitUntilSubscribed(timeout: .seconds(10)))

        let opened = try run.api.request("POST", "/v1/services", json: """
            {"windowCode":"W01","projectNo":"MS-2026-REASON-1","serviceNumber":"SN-42","version":"2",
             "mobile":"13912345678","applyTime":"2026-03-02 09:00:00"}
            """)
        #expect(opened.status == 201, "\(opened)")
        let serviceId = try #require(opened.json?["serviceId"] as? String)
        run.keypad.press(2)
        let rated = try #require(events.next("rated", timeout: .seconds(20)))
        let data = try #require(try JSONSerialization.jsonObject(with: Data(rated.data.utf8)) as? [String: Any])
        #expect(data["detailAwaited"] as? Bool == true)

        // Stored at the press, held: not yet at the platform.
        let stored = try #require(try CounterAPIEndToEndTests.evaluations(run.config).first)
        #expect(stored.satisfaction == .dissatisfied)
        #expect(stored.national?.serviceNumber == "SN-42")
        #expect(try await run.sim.stats().unique == 0)

        // A code of another level is refused; the right ones release it.
        #expect(try run.api.request("POST", "/v1/services/\(serviceId)/detail", json: #"{"evalDetail":"510"}"#).status == 400)
        let detail = try run.api.request("POST", "/v1/services/\(serviceId)/detail",
                                         json: #"{"evalDetail":"213,214","writingEvaluation":"业务不熟，态度生硬"}"#)
        #expect(detail.status == 200, "\(detail)")
        #expect(await eventually(timeout: .seconds(20)) { (try? await run.sim.stats().unique) == 1 }, "stderr:\n\(run.daemon.stderr)")
        let sent = try #require(try CounterAPIEndToEndTests.evaluations(run.config).first)
        #expect(sent.evalDetail == [213, 214])
        #expect(sent.national?.mobile?.revealed == "13912345678")
        #expect(sent.national?.applyTime == "2026-03-02 09:00:00")
        // The daemon's log masks the words and the number.
        #expect(!run.daemon.stderr.contains("13912345678"))
        #expect(!run.daemon.stderr.contains("业务不熟，态度生硬"))
        #expect(try run.api.request("POST", "/v1/services/\(serviceId)/detail", json: #"{"evalDetail":"213"}"#).status == 409)

        // 追评: the rectified case is rated again through the API, as assessNumber 2, once.
        let followUp = try run.api.request("POST", "/v1/follow-ups", json: """
            {"windowCode":"W01","projectNo":"MS-2026-REASON-1","satisfaction":5,"evalDetail":"510"}
            """)
        #expect(followUp.status == 201, "\(followUp)")
        #expect(await eventually(timeout: .seconds(20)) { (try? await run.sim.stats().unique) == 2 }, "stderr:\n\(run.daemon.stderr)")
        let all = try CounterAPIEndToEndTests.evaluations(run.config)
        #expect(all.map(\.assessNumber) == [.first, .followUp])
        #expect(try run.api.request("POST", "/v1/follow-ups", json: """
            {"windowCode":"W01","projectNo":"MS-2026-REASON-1","satisfaction":4}
            """).status == 409)
        // Never a second first evaluation: the case is still rated once.
        #expect(try run.api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-REASON-1"}"#).status == 409)
    }

    /// The keypad reason step: a bad review, then the reason button, with the
    /// simulated keypad (which declares the `reason` prompt).
    @Test func aKeypadReasonIsSentWithItsBadReview() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.windowExtra = """
            reason_codes_dissatisfied = ["213", "214"]
            reason_timeout_seconds = 120
            version = "2"
            """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        defer { keypad.close() }

        keypad.scan("2026030200077")
        keypad.press(2)
        // Stored at the press, held for the reason (120 s: only the pick can send it in time).
        #expect(await eventually(timeout: .seconds(20)) { (try? CounterAPIEndToEndTests.evaluations(config).count) == 1 }, "stderr:\n\(daemon.stderr)")
        #expect(try await sim.stats().unique == 0)
        // Device time moves on past the 50 ms debounce (a sleep never ends early),
        // or the reason press would be a bounce of the rating press.
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(4)  // the second button: the second code
        #expect(await eventually(timeout: .seconds(20)) { (try? await sim.stats().unique) == 1 }, "stderr:\n\(daemon.stderr)")
        let sent = try #require(try CounterAPIEndToEndTests.evaluations(config).first)
        #expect(sent.satisfaction == .dissatisfied)
        #expect(sent.evalDetail == [214])
        #expect(sent.national?.version == "2")
        #expect(try CounterAPIEndToEndTests.evaluations(config).count == 1, "the reason press is not a rating")
    }
}
