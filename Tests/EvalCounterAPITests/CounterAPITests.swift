import EvalCore
import EvalCounterAPI
import EvalTesting
import Foundation
import Logging
import Synchronization
import Testing

/// A backend that records what the API asked of the sessions.
final class RecordingBackend: CounterBackend {
    struct State {
        var outcome: ServiceOpeningOutcome = .opened
        var opened: [ServiceOpening] = []
        var closed: [(String, String)] = []
    }
    let state = Mutex(State())

    func check(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
        opening.windowCode == "W01" || opening.windowCode == "W02" ? state.withLock { $0.outcome } : .unknownWindow
    }
    func openService(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
        state.withLock { $0.opened.append(opening) }
        return await check(opening)
    }
    func closeService(windowCode: String, projectNo: String, because close: ServiceClose) async {
        state.withLock { $0.closed.append((windowCode, projectNo)) }
    }
    func logIn(windowCode: String, staff: StaffMember) async -> Bool { windowCode == "W01" }
    func logOut(windowCode: String) async -> Bool { windowCode == "W01" }
    func windows() async -> [WindowSnapshot] { [WindowSnapshot(windowCode: "W01", hallCode: "H1", staff: nil, devices: [])] }
}

@Suite("CounterAPI: services over a backend, countdowns on a test clock")
struct CounterAPITests {
    let clock = TestClock()
    let backend = RecordingBackend()

    func api(burst: Int = 20) -> CounterAPI<TestClock> {
        CounterAPI(clock: clock, backend: backend, limits: .init(opensPerSecond: 1, openBurst: burst), logger: Logger(label: "test"),
                   now: { [clock] in clock.wall.now() })
    }

    func open(_ projectNo: String, window: String = "W01", countdown: Int = 30) -> APIRequests.Open {
        try! APIRequests.open(Data(#"{"windowCode":"\#(window)","projectNo":"\#(projectNo)","countdownSeconds":\#(countdown)}"#.utf8))
    }

    func evaluation(_ projectNo: String?, window: String = "W01", rating: Rating = .satisfied) -> Evaluation {
        SampleEvaluation.make(rating: rating, window: window, projectNo: projectNo)
    }

    @Test func openThenAPressOfTheCaseRatesItAndStreamsTheEvent() async throws {
        let api = api()
        let events = api.events.subscribe(windowCode: "W01")
        let record = try await api.open(open("MS-1"))
        #expect(record.state == .waiting)
        let stored = evaluation("MS-1")
        await api.evaluationStored(stored)
        #expect(try await api.service(record.serviceId).state == .rated(evaluationId: stored.evaluationId.description, satisfaction: 4))
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event?.kind == .rated)
        #expect(event?.serverSentEvent.contains("\"evaluationId\":\"\(stored.evaluationId)\"") == true)
    }

    @Test func theCountdownRunsOnTheInjectedClock() async throws {
        let api = api()
        let record = try await api.open(open("MS-1", countdown: 30))
        let loop = Task { await api.runCountdowns() }
        await clock.waitForSleeper()
        clock.advance(by: .seconds(29))
        await api.expireDue()
        #expect(try await api.service(record.serviceId).state == .waiting)
        clock.advance(by: .seconds(1))
        await api.expireDue()
        #expect(try await api.service(record.serviceId).state == .expired)
        #expect(backend.state.withLock { $0.closed.map(\.1) } == ["MS-1"], "the session stops waiting for the case")
        await api.shutDown()
        await loop.value
    }

    @Test func refusalsStoreNothingAndKeepTheWaitingService() async throws {
        let api = api()
        let first = try await api.open(open("MS-1"))
        backend.state.withLock { $0.outcome = .alreadyRated(evaluationId: "0190-e") }
        do {
            _ = try await api.open(open("MS-2"))
            Issue.record("opened a rated case")
        } catch {
            #expect(error.status == 409 && error.code == "already-rated" && error.details == ["evaluationId": "0190-e"])
        }
        do {
            _ = try await api.open(open("MS-3", window: "W09"))
            Issue.record("opened at an unknown window")
        } catch { #expect(error.status == 404) }
        #expect(try await api.service(first.serviceId).state == .waiting)
        #expect(backend.state.withLock { $0.opened.count } == 1, "a refused open never reaches the session")
        backend.state.withLock { $0.outcome = .opened }
        do {
            _ = try await api.open(open("MS-1", window: "W02"))
            Issue.record("the case waits at W01")
        } catch { #expect(error.status == 409 && error.code == "case-waiting-elsewhere") }
    }

    @Test func aFloodOfOpensIsRateLimitedPerWindow() async throws {
        let api = api(burst: 2)
        _ = try await api.open(open("MS-1"))
        _ = try await api.open(open("MS-2"))
        do {
            _ = try await api.open(open("MS-3"))
            Issue.record("not limited")
        } catch { #expect(error.status == 429 && error.retryAfter == 1) }
        _ = try await api.open(open("MS-4", window: "W02"))
        clock.advance(by: .seconds(1))
        _ = try await api.open(open("MS-5"))
    }

    @Test func cancelEndsTheServiceOnceAndClosesTheSessionsCase() async throws {
        let api = api()
        let record = try await api.open(open("MS-1"))
        #expect(try await api.cancel(record.serviceId).state == .cancelled(reason: .cancelled))
        do {
            _ = try await api.cancel(record.serviceId)
            Issue.record("cancelled twice")
        } catch { #expect(error.status == 409) }
        await api.evaluationStored(evaluation("MS-1"))
        #expect(try await api.service(record.serviceId).state == .cancelled(reason: .cancelled))
    }
}

@Suite("APIRequests: strict bodies")
struct APIRequestsTests {
    func error(_ json: String) -> APIError? {
        do { _ = try APIRequests.open(Data(json.utf8)); return nil } catch { return error }
    }

    @Test func badBodiesGetClearErrors() {
        #expect(error("{").map(\.code) == "malformed-json")
        #expect(error("[]").map(\.code) == "invalid-request")
        #expect(error(#"{"windowCode":"W01"}"#)?.message == "projectNo is required")
        #expect(error(#"{"windowCode":"W01","projectNo":"MS-1","projectno":"x"}"#)?.code == "unknown-field")
        #expect(error(#"{"windowCode":"W01","projectNo":"MS 1"}"#)?.code == "invalid-request")
        #expect(error(#"{"windowCode":"W01","projectNo":"MS-1","countdownSeconds":1}"#) != nil)
        #expect(error(#"{"windowCode":"W01","projectNo":"MS-1","citizen":{"userName":"张三"}}"#)?.message == "citizen.certKey is required")
        #expect(error(#"{"windowCode":"W01","projectNo":"MS-1","citizen":{"userName":"张三","certKey":"1","idNo":"5"}}"#)?.code == "unknown-field")
    }

    @Test func aFullBodyParsesAndTheIdentityStaysMasked() throws {
        let open = try APIRequests.open(Data(#"""
        {"windowCode":"W01","projectNo":"MS-2026-1","taskCode":"T1","taskName":"营业执照","countdownSeconds":45,
         "staff":{"loginName":"lisi","name":"李四"},"citizen":{"userName":"王小明","certKey":"533103199001011234","userProp":1}}
        """#.utf8))
        #expect(open.countdownSeconds == 45)
        #expect(open.opening.staff == StaffMember(loginName: "lisi", name: "李四"))
        let citizen = try #require(open.opening.citizen)
        #expect(citizen.certKey.revealed == "533103199001011234")
        #expect(!"\(open)".contains("533103199001011234") && !"\(open)".contains("王小明"))
    }
}
