import EvalCore
import EvalPlatform
import EvalTesting
import EvalUplink
import Foundation
import Testing

/// Deterministic simulation of the forwarder's link state machine: a model
/// outbox, a model platform answering in every fault mode of DOMAIN.md
/// (decoded by the real adapter), and simulated time that jumps from event to
/// event. Any failing seed replays exactly.
struct LinkSimulation {
    typealias Machine = LinkStateMachine<TestClock.Instant>
    typealias Instant = TestClock.Instant

    enum State { case pending, inflight, delivered, rejected }
    struct Record { var id: EvaluationID; var state: State; var due: Instant; var sequence: Int }

    struct Violation: Error, CustomStringConvertible { var description: String }

    static let epoch = Date(timeIntervalSince1970: 1_772_415_015)
    static let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))

    var random: SplitMix64
    var machine: Machine
    var now = Instant(offset: .zero)
    var records: [Record] = []
    var index: [EvaluationID: Int] = [:]
    var onWire: Set<EvaluationID> = []
    /// Scheduled events: (time, kind), kept sorted by time then insertion.
    var events: [(at: Instant, order: Int, event: Event)] = []
    var order = 0
    var retryAfterFloor = Instant(offset: .zero)
    var deadline: Instant?
    var steps = 0
    let platformSkew: TimeInterval

    enum Event { case enqueue(Int), answer(Machine.RequestID, [EvaluationID], offset: TimeInterval), ring }

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        let settings = Machine.Settings(
            batchSize: Int.random(in: 1...6, using: &random), maxInFlight: Int.random(in: 1...3, using: &random),
            policy: RetryPolicy(base: 0.05, cap: Double.random(in: 0.1...20, using: &random)))
        machine = Machine(settings: settings)
        platformSkew = Bool.random(using: &random) ? 0 : Double.random(in: -7200...7200, using: &random)
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            schedule(.enqueue(Int.random(in: 1...8, using: &random)), in: Double.random(in: 0...30, using: &random))
        }
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            schedule(.ring, in: Double.random(in: 0...30, using: &random))
        }
    }

    var wallNow: Date { Self.epoch + now.seconds }
    func instant(_ date: Date) -> Instant { Instant(offset: .seconds(date.timeIntervalSince(Self.epoch))) }

    mutating func schedule(_ event: Event, in seconds: TimeInterval) {
        order += 1
        events.append((now.advanced(by: .seconds(seconds)), order, event))
        events.sort { ($0.at, $0.order) < ($1.at, $1.order) }
    }

    /// Runs the script, then a healthy platform until everything is settled.
    mutating func run(healthyAfter: Int = 400) throws -> Int {
        var actions = machine.wake(now: now)
        while true {
            try perform(&actions)
            try checkNoLostWakeUp()
            let next = [deadline, events.first?.at].compactMap { $0 }.min()
            guard let next else { break }
            steps += 1
            if steps > 5_000 { throw Violation(description: "no progress after 5000 steps") }
            now = max(now, next)
            if let first = events.first, first.at <= now {
                events.removeFirst()
                switch first.event {
                case .enqueue(let count):
                    for _ in 0..<count {
                        let id = EvaluationID.make(at: wallNow, using: &random)
                        index[id] = records.count
                        records.append(Record(id: id, state: .pending, due: now, sequence: records.count))
                    }
                case .ring:
                    break
                case .answer(let request, let ids, let offset):
                    onWire.subtract(ids)
                    let verdict = answer(for: ids, timestampOffset: offset, healthy: steps > healthyAfter)
                    if case .failure(.throttled(_, let seconds?)) = verdict {
                        retryAfterFloor = max(retryAfterFloor, now.advanced(by: .seconds(seconds)))
                    }
                    actions += machine.answered(request, verdict: verdict, now: now, wallNow: wallNow, using: &random)
                }
            }
            actions += machine.wake(now: now)
        }
        let open = records.filter { $0.state == .pending || $0.state == .inflight }
        guard open.isEmpty else { throw Violation(description: "\(open.count) record(s) never settled; machine waits until \(String(describing: deadline))") }
        return steps
    }

    mutating func perform(_ actions: inout [Machine.Action]) throws {
        while !actions.isEmpty {
            switch actions.removeFirst() {
            case .claim(let limit):
                let due = records.indices.filter { records[$0].state == .pending && records[$0].due <= now }
                    .sorted { records[$0].sequence < records[$1].sequence }.prefix(limit)
                for i in due { records[i].state = .inflight }
                let nextDue = records.filter { $0.state == .pending }.map(\.due).min()
                actions += machine.claimed(due.map { records[$0].id }, nextDue: nextDue, now: now)
            case .send(let request, let ids, let offset):
                if now < retryAfterFloor { throw Violation(description: "sent at \(now) before Retry-After ended at \(retryAfterFloor)") }
                for id in ids {
                    if onWire.contains(id) { throw Violation(description: "\(id) sent while a request for it is in flight") }
                    if records[index[id]!].state != .inflight { throw Violation(description: "\(id) sent without being claimed") }
                }
                if offset != 0 && abs(offset - platformSkew) > 2 {
                    throw Violation(description: "timestamp offset \(offset) does not follow the platform's \(platformSkew)")
                }
                onWire.formUnion(ids)
                schedule(.answer(request, ids, offset: offset), in: Double.random(in: 0...3, using: &random))
            case .settle(let outcomes):
                for outcome in outcomes {
                    let i = index[outcome.evaluationId]!
                    guard records[i].state == .inflight else { throw Violation(description: "settled \(outcome) for a record not in flight") }
                    switch outcome {
                    case .delivered: records[i].state = .delivered
                    case .rejected: records[i].state = .rejected
                    case .retry(_, _, let notBefore, _):
                        records[i].state = .pending
                        records[i].due = instant(notBefore)
                    }
                }
            case .wait(let until):
                deadline = until
            case .report:
                break
            }
        }
    }

    /// With a request slot free, nothing sendable may wait past the instant
    /// the machine will next wake (its deadline or the next scripted event).
    func checkNoLostWakeUp() throws {
        guard machine.inFlight.count < machine.settings.maxInFlight else { return }
        let wake = [deadline, events.first?.at].compactMap { $0 }.min()
        let pause = machine.pausedUntil ?? now
        var ready = records.filter { $0.state == .pending }.map { max($0.due, pause) }
        if !machine.splitWork.isEmpty { ready.append(pause) }
        guard let earliest = ready.min() else { return }
        if wake == nil || earliest < wake! {
            throw Violation(description: "lost wake-up: a record is sendable at \(earliest) but the machine sleeps until \(String(describing: wake)) (now \(now))")
        }
    }

    /// One platform answer, in a random fault mode (only success when
    /// `healthy`), decoded by the real adapter; like the platform, a timestamp
    /// more than 300 s from its clock is refused with a 401 and its `Date`.
    mutating func answer(for ids: [EvaluationID], timestampOffset: TimeInterval, healthy: Bool) -> BatchVerdict {
        if !healthy && Int.random(in: 0..<12, using: &random) == 0 {
            return .failure(.transport(reason: "read timeout or connection reset"))  // as HTTPUplinkTransport reports it
        }
        return Self.adapter.decode(response(for: ids, timestampOffset: timestampOffset, healthy: healthy), batch: ids)
    }

    mutating func response(for ids: [EvaluationID], timestampOffset: TimeInterval, healthy: Bool) -> UplinkResponse {
        let platformDate = HTTPDate.format(wallNow + platformSkew)
        if abs(platformSkew - timestampOffset) > 300 {
            return UplinkResponse(status: 401, headers: [HeaderField("Date", platformDate)], body: Array("stale timestamp".utf8))
        }
        func results(_ pick: (inout SplitMix64) -> String) -> UplinkResponse {
            let list = ids.map { EvaldJSONWire.Result(evaluationId: $0.description, status: pick(&random), reason: "test") }
            return UplinkResponse(status: 200, body: Array(try! JSONEncoder().encode(EvaldJSONWire.Results(results: list))))
        }
        if healthy { return results { Bool.random(using: &$0) ? "accepted" : "duplicate" } }
        switch Int.random(in: 0..<11, using: &random) {
        case 0, 1, 2: return results { ["accepted", "duplicate", "rejected"].randomElement(using: &$0)! }
        case 3: return UplinkResponse(status: 400, body: Array("bad batch".utf8))
        case 4: return UplinkResponse(status: 401, headers: [HeaderField("Date", platformDate)], body: Array("bad signature".utf8))
        case 5: return UplinkResponse(status: 413)
        case 6: return UplinkResponse(status: 429, headers: [HeaderField("Retry-After", "\(Int.random(in: 0...20, using: &random))")])
        case 7: return UplinkResponse(status: 503, headers: [HeaderField("Retry-After", "\(Int.random(in: 0...20, using: &random))")])
        case 8: return UplinkResponse(status: Bool.random(using: &random) ? 429 : 503)
        case 9: return UplinkResponse(status: [500, 502, 504].randomElement(using: &random)!)
        default: return UplinkResponse(status: 200, body: Array("<html>gateway</html>".utf8))
        }
    }
}

@Suite struct LinkStateMachineTests {
    @Test func tenThousandSeededSequencesKeepTheInvariants() async throws {
        let count = 10_000
        // Thirty seconds of CPU on a thread of its own, not on one of the
        // cooperative pool's two threads that the other tests' tasks need.
        let (steps, failure) = try await onOwnThread { () -> (Int, String?) in
            var steps = 0
            for seed in 1...UInt64(count) {
                var simulation = LinkSimulation(seed: seed)
                do {
                    steps += try simulation.run()
                } catch {
                    return (steps, "seed \(seed): \(error)")
                }
            }
            return (steps, nil)
        }
        if let failure { Issue.record(Comment(rawValue: failure)) }
        print("LinkStateMachine: explored \(count) seeded sequences, \(steps) simulated wake-ups")
        #expect(steps > count)
    }

    typealias Machine = LinkStateMachine<TestClock.Instant>
    let t0 = TestClock.Instant(offset: .zero)
    let wall = Date(timeIntervalSince1970: 1_772_415_015)

    @Test func retryAfterPausesTheLinkAndASuccessDoesNotShortenIt() throws {
        var machine = Machine(settings: .init(batchSize: 1, maxInFlight: 2, policy: RetryPolicy(base: 0.01, cap: 0.01)))
        var random = SplitMix64(seed: 3)
        #expect(machine.wake(now: t0) == [.claim(limit: 1)])
        let a = EvaluationID.make(at: wall), b = EvaluationID.make(at: wall)
        let sends = machine.claimed([a], nextDue: t0, now: t0)
        #expect(sends.first == .send(1, [a], timestampOffset: 0))
        _ = machine.claimed([b], nextDue: nil, now: t0)
        _ = machine.answered(1, verdict: .failure(.throttled(status: 429, retryAfter: 30)), now: t0, wallNow: wall, using: &random)
        _ = machine.answered(2, verdict: .perRecord([.delivered(b)]), now: t0, wallNow: wall, using: &random)
        #expect(machine.pausedUntil == t0.advanced(by: .seconds(30)))
        #expect(machine.wake(now: t0.advanced(by: .seconds(29))) == [.wait(until: t0.advanced(by: .seconds(30)))])
        #expect(machine.wake(now: t0.advanced(by: .seconds(30))) == [.claim(limit: 1)])
    }

    @Test func theLatestFailureSetsTheBackoffNotTheLongestOne() throws {
        // Issue 10's lost wake-up: "retryIn 0.19 s" logged, records held ≥ 12 s by an older, longer backoff.
        var machine = Machine(settings: .init(batchSize: 1, maxInFlight: 2, policy: RetryPolicy(base: 20, cap: 20)))
        var random = SplitMix64(seed: 9)
        _ = machine.wake(now: t0)
        let a = EvaluationID.make(at: wall), b = EvaluationID.make(at: wall)
        _ = machine.claimed([a], nextDue: t0, now: t0)
        _ = machine.claimed([b], nextDue: nil, now: t0)
        _ = machine.answered(1, verdict: .failure(.serverError(status: 500)), now: t0, wallNow: wall, using: &random)
        #expect(machine.backoffUntil != nil)
        let later = t0.advanced(by: .seconds(1))
        let actions = machine.answered(2, verdict: .failure(.serverError(status: 502)), now: later, wallNow: wall + 1, using: &random)
        guard case .settle(let outcomes) = actions.first, case .retry(_, _, let notBefore, _) = outcomes.first else {
            Issue.record("expected a retry, got \(actions)")
            return
        }
        // The second failure's own deadline (its records' next attempt), even if the first one's was later.
        #expect(machine.backoffUntil == TestClock.Instant(offset: .seconds(notBefore.timeIntervalSince(wall))))
    }

    @Test func a401WithThePlatformsDateMovesOnlyTheTimestampOffset() throws {
        var machine = Machine(settings: .init(batchSize: 5, maxInFlight: 1, policy: RetryPolicy(base: 0.01, cap: 0.01)))
        var random = SplitMix64(seed: 5)
        _ = machine.wake(now: t0)
        let ids = (0..<3).map { _ in EvaluationID.make(at: wall) }
        _ = machine.claimed(ids, nextDue: nil, now: t0)
        let actions = machine.answered(1, verdict: .failure(.unauthorized(reason: "stale", platformDate: wall + 3600)),
                                       now: t0, wallNow: wall, using: &random)
        #expect(actions.contains(.report(.platformClockOffset(seconds: 3600))))
        #expect(machine.auth == .refused && machine.status.authFailing)
        let resume = try #require(machine.pausedUntil)
        _ = machine.wake(now: resume)
        let resent = machine.claimed(ids, nextDue: nil, now: resume)
        #expect(resent.first == .send(2, ids, timestampOffset: 3600))
    }
}
