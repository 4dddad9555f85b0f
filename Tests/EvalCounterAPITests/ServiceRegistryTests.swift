import EvalCore
import EvalCounterAPI
import EvalTesting
import Foundation
import Testing

@Suite("ServiceRegistry: the API's services as a pure value")
struct ServiceRegistryTests {
    typealias Registry = ServiceRegistry<TestClock.Instant>
    let clock = TestClock()

    func record(_ id: String, window: String = "W01", projectNo: String = "MS-1", countdown: Int = 30) -> CounterServiceRecord {
        CounterServiceRecord(serviceId: id, windowCode: window, ticket: CaseTicket(projectNo: projectNo),
                             openedAt: clock.wall.now(), countdownSeconds: countdown)
    }

    @Test func aRatingOfTheWaitingCaseRatesTheService() {
        var registry = Registry()
        #expect(registry.open(record("a"), deadline: clock.now.advanced(by: .seconds(30))).isEmpty)
        #expect(registry.rated(windowCode: "W01", projectNo: nil, evaluationId: "e0", satisfaction: 5) == nil, "an anonymous rating is not the case's")
        #expect(registry.rated(windowCode: "W01", projectNo: "MS-2", evaluationId: "e0", satisfaction: 5) == nil)
        #expect(registry.rated(windowCode: "W02", projectNo: "MS-1", evaluationId: "e0", satisfaction: 5) == nil)
        let rated = registry.rated(windowCode: "W01", projectNo: "MS-1", evaluationId: "e1", satisfaction: 4)
        #expect(rated?.state == .rated(evaluationId: "e1", satisfaction: 4))
        #expect(registry.record("a")?.state == .rated(evaluationId: "e1", satisfaction: 4))
        #expect(registry.waiting(at: "W01") == nil)
        #expect(registry.rated(windowCode: "W01", projectNo: "MS-1", evaluationId: "e2", satisfaction: 1) == nil, "one service, one evaluation")
    }

    @Test func theCountdownExpiresOnTheInjectedClock() async {
        var registry = Registry()
        _ = registry.open(record("a", countdown: 30), deadline: clock.now.advanced(by: .seconds(30)))
        _ = registry.open(record("b", window: "W02", projectNo: "MS-2", countdown: 60), deadline: clock.now.advanced(by: .seconds(60)))
        #expect(registry.nextDeadline == clock.now.advanced(by: .seconds(30)))
        clock.advance(by: .seconds(29))
        #expect(registry.expire(at: clock.now).isEmpty)
        clock.advance(by: .seconds(1))
        #expect(registry.expire(at: clock.now).map(\.serviceId) == ["a"])
        #expect(registry.record("a")?.state == .expired)
        #expect(registry.nextDeadline == TestClock.Instant(offset: .seconds(60)))
        #expect(registry.rated(windowCode: "W01", projectNo: "MS-1", evaluationId: "e", satisfaction: 5) == nil, "an expired service is not rated later")
    }

    @Test func reopeningAtAWindowReplacesTheWaitingService() {
        var registry = Registry()
        _ = registry.open(record("a"), deadline: clock.now.advanced(by: .seconds(30)))
        let replaced = registry.open(record("b", projectNo: "MS-2"), deadline: clock.now.advanced(by: .seconds(30)))
        #expect(replaced.map(\.serviceId) == ["a"])
        #expect(registry.record("a")?.state == .cancelled(reason: .replaced))
        #expect(registry.waiting(at: "W01")?.serviceId == "b")
        #expect(registry.windowWaiting(for: "MS-2") == "W01")
        #expect(registry.windowWaiting(for: "MS-1") == nil)
    }

    @Test func cancelWithdrawAndRetention() {
        var registry = Registry(retainedEnded: 2)
        _ = registry.open(record("a"), deadline: clock.now.advanced(by: .seconds(30)))
        #expect(registry.cancel("nope") == .notFound)
        guard case .cancelled(let cancelled) = registry.cancel("a") else { Issue.record("not cancelled"); return }
        #expect(cancelled.state == .cancelled(reason: .cancelled))
        guard case .notWaiting = registry.cancel("a") else { Issue.record("cancelled twice"); return }
        _ = registry.open(record("b"), deadline: clock.now.advanced(by: .seconds(30)))
        registry.withdraw("b")
        #expect(registry.record("b") == nil && registry.waiting(at: "W01") == nil)
        for id in ["c", "d", "e"] {
            _ = registry.open(record(id), deadline: clock.now.advanced(by: .seconds(30)))
            _ = registry.cancel(id)
        }
        #expect(registry.record("a") == nil && registry.record("c") == nil, "only the last 2 ended services are kept")
        #expect(registry.record("d") != nil && registry.record("e") != nil)
    }

    @Test func theRateLimiterRefillsOnTheInjectedClock() {
        var limiter = RateLimiter<String, TestClock.Instant>(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(limiter.admit("W01", at: clock.now) == nil) }
        let wait = limiter.admit("W01", at: clock.now)
        #expect(wait == .milliseconds(500))
        #expect(limiter.admit("W02", at: clock.now) == nil, "buckets are per window")
        clock.advance(by: .milliseconds(500))
        #expect(limiter.admit("W01", at: clock.now) == nil)
        #expect(limiter.admit("W01", at: clock.now) != nil)
    }
}
