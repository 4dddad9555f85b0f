import EvalCore
import EvalCounterAPI
import EvalTesting
import Foundation
import Logging
import Testing

/// Issue #24 item 5 on TCP: the `Host` allow-list against DNS rebinding,
/// per-window tokens, the rate limit of every mutating route and the cap on
/// event streams (pure, on a test clock).
@Suite("Counter API bounds: Host, window tokens, write rate, streams")
struct BoundedAccessTests {
    static let token = "0123456789abcdef-token"
    static let w01Token = "w01-only-token-0123456789"
    let tcp = AccessPolicy(token: BoundedAccessTests.token, allowedOrigins: [], allowedHosts: ["evald.counter.local"],
                           windowTokens: [WindowToken(token: BoundedAccessTests.w01Token, windows: ["W01"])])

    func request(host: String?, token: String = BoundedAccessTests.token, method: String = "GET", path: String = "/v1/windows") -> AccessPolicy.Request {
        .init(method: method, path: path, authorization: "Bearer \(token)", host: host)
    }

    @Test func onlyLoopbackAndConfiguredHostNamesAreServed() {
        for host in ["127.0.0.1:8765", "127.0.0.1", "localhost:8765", "LOCALHOST", "[::1]:8765", "evald.counter.local:8765", "localhost.:8765"] {
            guard case .proceed = tcp.decide(request(host: host)) else { Issue.record("\(host) refused"); continue }
        }
        // A rebound name (the attacker's, resolving to 127.0.0.1) and malformed ones: 421, token or not.
        for host in ["evil.example.com:8765", "127.0.0.1.evil.example.com", "localhost:80@evil", "", "[::1", nil] as [String?] {
            guard case .refuse(let error) = tcp.decide(request(host: host)) else { Issue.record("\(host ?? "nil") served"); continue }
            #expect(error.status == 421 && error.code == "host-not-allowed")
        }
        // A preflight is checked too, before its origin.
        guard case .refuse(let error) = tcp.decide(.init(method: "OPTIONS", path: "/v1/services", origin: "http://evil.example.com",
                                                         preflightMethod: "POST", host: "evil.example.com:8765")) else {
            Issue.record("preflight served"); return
        }
        #expect(error.status == 421)
        // The Unix socket has no Host check (its mode is the access control).
        let unix = AccessPolicy(token: nil, allowedOrigins: [])
        guard case .proceed = unix.decide(.init(method: "GET", path: "/v1/windows", host: "anything")) else { Issue.record("unix refused"); return }
    }

    @Test func aWindowTokenIsAcceptedWithTheScopeOfItsWindows() {
        let windowRequest = request(host: "127.0.0.1", token: Self.w01Token, method: "POST", path: "/v1/services")
        guard case .proceed = tcp.decide(windowRequest) else { Issue.record("window token refused"); return }
        #expect(tcp.scope(windowRequest) == .windows(["W01"]))
        #expect(tcp.scope(windowRequest).allows("W01") && !tcp.scope(windowRequest).allows("W02"))
        #expect(tcp.scope(request(host: "127.0.0.1")) == .all, "the main token acts everywhere")
        // On the event stream the token may come as ?access_token=.
        let stream = AccessPolicy.Request(method: "GET", path: "/v1/events", queryToken: Self.w01Token, host: "127.0.0.1")
        #expect(tcp.scope(stream) == .windows(["W01"]))
        guard case .refuse(let error) = tcp.decide(request(host: "127.0.0.1", token: "w02-guess-0123456789abc")) else {
            Issue.record("unknown token served"); return
        }
        #expect(error.code == "token-invalid")
        #expect(throws: APIError.self) { try AccessScope.windows(["W01"]).require("W02") }
    }

    @Test func cancelsAndStaffChangesAreRateLimitedPerWindow() async throws {
        let clock = TestClock()
        let api = CounterAPI(clock: clock, backend: RecordingBackend(),
                             limits: .init(opensPerSecond: 100, openBurst: 100, writesPerSecond: 1, writeBurst: 2), logger: Logger(label: "test"))
        let staff = StaffMember(loginName: "lisi", name: "李四")
        try await api.logIn(windowCode: "W01", staff: staff)
        try await api.logOut(windowCode: "W01")
        do {
            try await api.logIn(windowCode: "W01", staff: staff)
            Issue.record("a third change within the burst was admitted")
        } catch {
            #expect(error.status == 429 && error.code == "rate-limited" && error.retryAfter == 1)
        }
        // An unknown window is refused as unknown and spends no bucket.
        await #expect(throws: APIError.unknownWindowForTests("W09")) { try await api.logIn(windowCode: "W09", staff: staff) }
        clock.advance(by: .seconds(1))
        try await api.logIn(windowCode: "W01", staff: staff)
        // A cancel spends the same window's bucket.
        let opened = try await api.open(try APIRequests.open(Data(#"{"windowCode":"W01","projectNo":"MS-1","countdownSeconds":30}"#.utf8)))
        await #expect(throws: APIError.self) { _ = try await api.cancel(opened.serviceId) }
        clock.advance(by: .seconds(1))
        #expect(try await api.cancel(opened.serviceId).state.name == "cancelled")
    }

    @Test func eventStreamsBeyondTheCapAreRefusedAndCounted() {
        let events = EventBroadcaster(maxSubscribers: 2)
        var open = [events.subscribeIfRoom(windowCode: "W01"), events.subscribeIfRoom(windowCode: nil)]
        #expect(open.allSatisfy { $0 != nil })
        #expect(events.subscribeIfRoom(windowCode: "W01") == nil)
        #expect(events.refusedSubscriptions == 1 && events.subscriberCount == 2)
        open.removeFirst()
        #expect(events.subscribeIfRoom(windowCode: "W01") != nil, "a stream that ended frees its place")
    }
}

extension APIError {
    static func unknownWindowForTests(_ code: String) -> APIError {
        APIError(404, "unknown-window", "window \(code) is not configured on this agent")
    }
}
