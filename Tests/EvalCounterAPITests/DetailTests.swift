import EvalCore
import EvalCounterAPI
import EvalTesting
import Foundation
import Logging
import Synchronization
import Testing

/// A backend whose queue holds evaluations for their reasons: records what
/// was attached, answers as told.
final class DetailBackend: CounterBackend {
    struct State {
        var outcome: DetailOutcome = .attached
        var opened: [ServiceOpening] = []
        var attached: [(String, [Int]?, PersonalData?)] = []
        var followUps: [FollowUpRating] = []
        var followUpResult: FollowUpResult = .stored(evaluationId: "0190a0b0-0000-7000-8000-000000000001")
    }
    let state = Mutex(State())

    func check(_ opening: ServiceOpening) async -> ServiceOpeningOutcome { opening.windowCode == "W01" ? .opened : .unknownWindow }
    func openService(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
        state.withLock { $0.opened.append(opening) }
        return await check(opening)
    }
    func closeService(windowCode: String, projectNo: String, because close: ServiceClose) async {}
    func logIn(windowCode: String, staff: StaffMember) async -> Bool { true }
    func logOut(windowCode: String) async -> Bool { true }
    func windows() async -> [WindowSnapshot] { [WindowSnapshot(windowCode: "W01", hallCode: nil, staff: nil, devices: [])] }
    func attachDetail(evaluationId: String, evalDetail: [Int]?, writingEvaluation: PersonalData?) async -> DetailOutcome {
        state.withLock { state in
            state.attached.append((evaluationId, evalDetail, writingEvaluation))
            return state.outcome
        }
    }
    func followUp(_ rating: FollowUpRating) async -> FollowUpResult {
        state.withLock { state in
            state.followUps.append(rating)
            return state.followUpResult
        }
    }
}

/// Issue 26: after `rated`, the page may send `evalDetail` (checked against
/// the pressed level) and `writingEvaluation` while the evaluation is held.
@Suite("CounterAPI: reasons after the rating")
struct DetailTests {
    let clock = TestClock()
    let backend = DetailBackend()

    func api(window: Int = 60, followUpDays: Int = 0) -> CounterAPI<TestClock> {
        CounterAPI(clock: clock, backend: backend, logger: Logger(label: "test"), now: { [clock] in clock.wall.now() },
                   detail: .init(windowSeconds: window, followUpDays: followUpDays))
    }

    func open(_ projectNo: String, extra: String = "") throws(APIError) -> APIRequests.Open {
        try APIRequests.open(Data(#"{"windowCode":"W01","projectNo":"\#(projectNo)"\#(extra)}"#.utf8))
    }

    /// What the session would store for the press: held as the ticket asks.
    func stored(_ opening: ServiceOpening, rating: Rating) -> Evaluation {
        var evaluation = SampleEvaluation.make(rating: rating, window: "W01", projectNo: opening.ticket.projectNo)
        evaluation.heldUntil = opening.ticket.detailWindowSeconds.map { clock.wall.now().addingTimeInterval(Double($0)) }
        return evaluation
    }

    @Test func theRatedEventSaysADetailIsAwaitedAndTheReasonsReleaseIt() async throws {
        let api = api()
        let events = api.events.subscribe(windowCode: "W01")
        let record = try await api.open(open("MS-1"))
        let opening = try #require(backend.state.withLock { $0.opened.last })
        #expect(opening.ticket.detailWindowSeconds == 60)
        let evaluation = stored(opening, rating: .dissatisfied)
        await api.evaluationStored(evaluation)
        var iterator = events.makeAsyncIterator()
        let rated = try #require(await iterator.next())
        #expect(rated.serverSentEvent.contains("\"detailAwaited\":true"), "\(rated.serverSentEvent)")
        #expect(rated.serverSentEvent.contains("\"detailUntil\""))

        // A code of another level is refused, and nothing reaches the queue.
        let wrong = try APIRequests.detail(Data(#"{"evalDetail":"510"}"#.utf8))
        await #expect(throws: APIError.self) { try await api.detail(record.serviceId, wrong) }
        #expect(backend.state.withLock { $0.attached.isEmpty })

        let detail = try APIRequests.detail(Data(#"{"evalDetail":"213,214","writingEvaluation":"等了很久"}"#.utf8))
        let answered = try await api.detail(record.serviceId, detail)
        #expect(answered.detailReceived)
        let attached = try #require(backend.state.withLock { $0.attached.first })
        #expect(attached.0 == evaluation.evaluationId.description)
        #expect(attached.1 == [213, 214])
        #expect(attached.2?.revealed == "等了很久")

        // Once: a second detail is refused.
        await #expect(throws: APIError.self) { try await api.detail(record.serviceId, detail) }
    }

    @Test func aDetailAfterTheWindowIsRefused() async throws {
        let api = api()
        let record = try await api.open(open("MS-2"))
        let opening = try #require(backend.state.withLock { $0.opened.last })
        await api.evaluationStored(stored(opening, rating: .satisfied))
        backend.state.withLock { $0.outcome = .windowClosed }
        do {
            _ = try await api.detail(record.serviceId, try APIRequests.detail(Data(#"{"evalDetail":[406]}"#.utf8)))
            Issue.record("accepted after the window")
        } catch {
            #expect(error.code == "detail-window-closed")
        }
    }

    @Test func withoutADetailWindowNothingIsAwaited() async throws {
        let api = api(window: 0)
        let events = api.events.subscribe(windowCode: "W01")
        let record = try await api.open(open("MS-3"))
        let opening = try #require(backend.state.withLock { $0.opened.last })
        #expect(opening.ticket.detailWindowSeconds == nil)
        await api.evaluationStored(stored(opening, rating: .satisfied))
        var iterator = events.makeAsyncIterator()
        #expect(try #require(await iterator.next()).serverSentEvent.contains("\"detailAwaited\":false"))
        do {
            _ = try await api.detail(record.serviceId, try APIRequests.detail(Data(#"{"evalDetail":"406"}"#.utf8)))
            Issue.record("accepted though nothing was awaited")
        } catch {
            #expect(error.code == "detail-not-awaited")
        }
    }

    @Test func theWordsAreCheckedAndNeverEchoed() throws {
        for body in [#"{"writingEvaluation":"a\nb"}"#, #"{"writingEvaluation":"\#(String(repeating: "长", count: 501))"}"#,
                     #"{"writingEvaluation":"  "}"#, #"{"evalDetail":"213;214"}"#, #"{"evalDetail":true}"#, #"{}"#,
                     #"{"evalDetail":"213","mood":"bad"}"#] {
            #expect(throws: APIError.self, "\(body)") { try APIRequests.detail(Data(body.utf8)) }
        }
        do {
            _ = try APIRequests.detail(Data(#"{"writingEvaluation":"秘密\u0007"}"#.utf8))
        } catch {
            #expect(!error.message.contains("秘密"))
        }
        #expect(try APIRequests.detail(Data(#"{"evalDetail":[213,214]}"#.utf8)).evalDetail == [213, 214])
    }

    @Test func theOpenBodyCarriesTheNationalFields() throws {
        let request = try open("MS-4", extra: #","serviceNumber":"SN-1","mobile":"13800138000","applyTime":"2026-03-02 09:00:00""#)
        #expect(request.opening.ticket.national?.serviceNumber == "SN-1")
        #expect(request.opening.ticket.national?.mobile?.revealed == "13800138000")
        #expect(throws: APIError.self) { try open("MS-5", extra: #","applyTime":"today""#) }
        #expect(throws: APIError.self) { try open("MS-6", extra: #","serviceNumber":"13800138000""#) }
        do {
            _ = try open("MS-7", extra: #","mobile":"not a number 13800138000""#)
        } catch {
            #expect(!error.message.contains("13800138000"))
        }
    }

    @Test func aFollowUpIsTakenOnlyWhenOnAndWithReasonsOfItsOwnLevel() async throws {
        let request = try APIRequests.followUp(Data(#"{"windowCode":"W01","projectNo":"MS-9","satisfaction":5,"evalDetail":"510"}"#.utf8))
        do {
            _ = try await api(followUpDays: 0).followUp(request)
            Issue.record("taken though follow_up_days is 0")
        } catch {
            #expect(error.code == "follow-ups-off")
        }
        let api = api(followUpDays: 15)
        #expect(try await api.followUp(request) == "0190a0b0-0000-7000-8000-000000000001")
        #expect(backend.state.withLock { $0.followUps.first?.withinDays } == 15)

        let wrongLevel = try APIRequests.followUp(Data(#"{"windowCode":"W01","projectNo":"MS-9","satisfaction":5,"evalDetail":"213"}"#.utf8))
        await #expect(throws: APIError.self) { try await api.followUp(wrongLevel) }
        #expect(backend.state.withLock { $0.followUps.count } == 1)

        for (result, code) in [(FollowUpResult.notRated, "not-rated"), (.alreadyFollowedUp(evaluationId: "x"), "already-followed-up"),
                               (.tooLate(firstRatedAt: Date(timeIntervalSince1970: 0)), "follow-up-too-late")] {
            backend.state.withLock { $0.followUpResult = result }
            do {
                _ = try await api.followUp(request)
                Issue.record("taken: \(result)")
            } catch {
                #expect(error.code == code)
            }
        }
        #expect(throws: APIError.self) { try APIRequests.followUp(Data(#"{"windowCode":"W01","projectNo":"MS-9","satisfaction":6}"#.utf8)) }
        #expect(throws: APIError.self) { try APIRequests.followUp(Data(#"{"windowCode":"W01","projectNo":"MS-9"}"#.utf8)) }
    }
}
