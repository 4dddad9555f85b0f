import EvalCore
import EvalPlatform
import EvalTesting
import EvalUplink
import Foundation
import Logging
import Testing

/// A platform played in-process on the test's wall clock: `skew` ahead of us,
/// refusing timestamps more than 300 s from its clock with a 401 and its
/// `Date`, as DOMAIN.md says; or answering every request with `status`.
final class InProcessPlatform: UplinkTransport, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var timestamps: [Int64] = []
    private(set) var assessTimes: [[String]] = []
    let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))
    let wall: any WallClock
    let skew: TimeInterval
    let fixedAnswer: UplinkResponse?

    init(wall: any WallClock, skew: TimeInterval = 3600, fixedAnswer: UplinkResponse? = nil) {
        self.wall = wall
        self.skew = skew
        self.fixedAnswer = fixedAnswer
    }

    func send(_ request: UplinkRequest) async throws -> UplinkResponse {
        let platformNow = wall.now().addingTimeInterval(skew)
        let timestamp = Int64(request.headers.first { $0.name == "X-Timestamp" }!.value)!
        let batch = try JSONDecoder().decode(EvaldJSONWire.Batch.self, from: Data(request.body))
        lock.withLock {
            timestamps.append(timestamp)
            assessTimes.append(batch.evaluations.map(\.assessTime))
        }
        if let fixedAnswer { return fixedAnswer }
        guard abs(Double(timestamp) / 1000 - platformNow.timeIntervalSince1970) <= 300 else {
            return UplinkResponse(status: 401, headers: [HeaderField("Date", HTTPDate.format(platformNow))], body: Array(#"{"error":"stale"}"#.utf8))
        }
        let results = batch.evaluations.map { EvaldJSONWire.Result(evaluationId: $0.evaluationId, status: "accepted") }
        return UplinkResponse(status: 200, body: Array(try JSONEncoder().encode(EvaldJSONWire.Results(results: results))))
    }

    func shutdown() async throws {}
}

/// The forwarder the daemon runs, on a test clock: time moves only when the
/// test moves it, so nothing here sleeps or measures elapsed time.
@Suite(.timeLimit(.minutes(1))) struct ForwarderUnitTests {
    static func forwarder(_ outbox: InMemoryOutbox, _ platform: InProcessPlatform, clock: TestClock) -> UplinkForwarder<TestClock> {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return UplinkForwarder(
            outbox: outbox, adapter: platform.adapter, transport: platform, basePath: "/api/v1",
            tuning: .init(retryPolicy: RetryPolicy(base: 0.01, cap: 0.05)), clock: clock, wallClock: clock.wall,
            // The kernel vouches for the test's wall clock; boottime moves with it (no jump).
            clockWatch: ClockWatch(bootID: "test") { [wall = clock.wall] in
                let now = wall.now()
                return ClockSample(wall: now, boot: now.timeIntervalSince1970, kernelUnsynchronized: false)
            },
            logger: logger
        )
    }

    @Test func aPlatformWhoseClockDiffersIsFollowedInXTimestampButNeverInAssessTime() async throws {
        let clock = TestClock()
        let outbox = InMemoryOutbox()
        let platform = InProcessPlatform(wall: clock.wall)
        let forwarder = Self.forwarder(outbox, platform, clock: clock)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        let evaluations = (0..<4).map { _ in Samples.evaluation(at: clock.wall.now()) }
        outbox.enqueue(evaluations, at: clock.wall.now())

        await clock.waitForSleeper()  // the 401 came back; the forwarder backs off on the test clock
        #expect(outbox.delivered.isEmpty)
        #expect(forwarder.status.authFailing)
        clock.advanceToNextDeadline()
        await outbox.waitForDelivered(4)

        let status = forwarder.status
        #expect(abs(status.platformClockOffset - 3600) < 2)
        #expect(!status.authFailing && status.consecutiveFailures == 0)
        #expect(platform.timestamps.count == 2)  // one refused, one accepted
        let sentAt = clock.wall.now().timeIntervalSince1970
        #expect(abs(Double(platform.timestamps[1]) / 1000 - (sentAt + 3600)) < 2)
        // assessTime is what the evaluation recorded, in both requests: never moved by the offset.
        let recorded = evaluations.map(\.assessTime)
        #expect(platform.assessTimes == [recorded, recorded])
        task.cancel()
        _ = try? await task.value
    }

    @Test func anEvaluationDatedBeforeTheBuildIsHeldNotSent() async throws {
        // Issue 10: booted with the clock at 2000, the platform accepted ratings dated 2000.
        let clock = TestClock()
        let outbox = InMemoryOutbox()
        let platform = InProcessPlatform(wall: clock.wall, skew: 0)
        let forwarder = Self.forwarder(outbox, platform, clock: clock)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        let wrong = Samples.evaluation(at: Date(timeIntervalSince1970: 946_713_600))  // 2000-01-01 08:00 Shanghai
        let right = Samples.evaluation(at: clock.wall.now())
        outbox.enqueue([wrong, right], at: clock.wall.now())
        await outbox.waitForDelivered(1)
        #expect(outbox.delivered == [right.evaluationId])
        #expect(platform.assessTimes.flatMap { $0 } == [right.assessTime])
        #expect(outbox.pendingCount == 1)  // kept, not dropped
        task.cancel()
        _ = try? await task.value
    }

    @Test func anEvaluationStampedByAWrongClockIsReDatedFromThePlatformsClockBeforeItIsSent() async throws {
        // Issue 10: a PC booted at 2000-01-01 with no NTP. The platform (27 years ahead of
        // our wall clock, i.e. right) answers the clock probe; the record goes re-dated.
        let clock = TestClock(wallStart: Date(timeIntervalSince1970: 946_713_600))
        let skew: TimeInterval = 852_000_000
        let outbox = InMemoryOutbox()
        let platform = InProcessPlatform(wall: clock.wall, skew: skew)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let watch = ClockWatch(bootID: "test") { [wall = clock.wall, start = clock.wallStart] in
            let now = wall.now()
            return ClockSample(wall: now, boot: 1000 + now.timeIntervalSince(start), kernelUnsynchronized: true)
        }
        let forwarder = UplinkForwarder(outbox: outbox, adapter: platform.adapter, transport: platform, basePath: "/api/v1",
                                        tuning: .init(retryPolicy: RetryPolicy(base: 0.01, cap: 0.05)), clock: clock,
                                        wallClock: clock.wall, clockWatch: watch, logger: logger)
        var evaluation = Samples.evaluation(at: clock.wallStart - 10)
        evaluation.recordedTime = RecordedTime(bootID: "test", boot: 990, trusted: false)
        outbox.enqueue([evaluation], at: clock.wallStart - 10)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        await outbox.waitForDelivered(1)

        let truth = ShanghaiTime.format(clock.wallStart + skew - 10)
        // The probe (an empty batch), then the record with the platform's time — never 2000.
        #expect(platform.assessTimes == [[], [truth]])
        #expect(outbox.stored(evaluation.evaluationId)?.assessTime == truth)
        // Still untrusted (the wall clock reads 2000), but anchored to the platform's clock.
        #expect(!watch.last.trusted && watch.judgement.anchor?.wall == clock.wallStart + skew)
        // The probe taught X-Timestamp the offset, so the batch was not refused first.
        #expect(platform.timestamps.count == 2)
        task.cancel()
        _ = try? await task.value
    }

    @Test func cancellingStopsAForwarderWaitingOutAnHourLongRetryAfter() async throws {
        let clock = TestClock()
        let outbox = InMemoryOutbox()
        let busy = UplinkResponse(status: 429, headers: [HeaderField("Retry-After", "3600")])
        let platform = InProcessPlatform(wall: clock.wall, skew: 0, fixedAnswer: busy)
        let forwarder = Self.forwarder(outbox, platform, clock: clock)
        let task = Task { try await forwarder.run() }
        outbox.enqueue(Samples.batch(2), at: clock.wall.now())
        await clock.waitForSleeper()
        let wake = try #require(clock.nextDeadline)
        #expect(wake.offset >= .seconds(3600))  // Retry-After honoured
        task.cancel()
        try await task.value  // returns although the test clock never moved: cancellation, not a timer
        #expect(clock.now.offset == .zero)
        #expect(platform.timestamps.count == 1)
        #expect(outbox.pendingCount == 2 && outbox.delivered.isEmpty)
    }

    /// Issue 27: a store that cannot settle (a full disk) used to end the
    /// forwarder, and with it evald, which systemd restarted every 2 s while
    /// nothing was forwarded. Now the link waits and goes on; the unsettled
    /// records are sent again (the platform answers `duplicate`).
    @Test func aStoreThatCannotSettleDoesNotStopTheForwarder() async throws {
        let clock = TestClock()
        let outbox = InMemoryOutbox()
        outbox.settlesToRefuse = 1
        let platform = InProcessPlatform(wall: clock.wall, skew: 0)
        let forwarder = Self.forwarder(outbox, platform, clock: clock)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        outbox.enqueue(Samples.batch(2), at: clock.wall.now())
        #expect(await eventually(timeout: .seconds(20)) { platform.timestamps.count == 1 })
        // The settle was refused: the link pauses rather than spin on resends.
        #expect(await eventually(timeout: .seconds(10)) { (clock.nextDeadline?.offset ?? .zero) >= .seconds(10) })
        #expect(outbox.delivered.isEmpty && platform.timestamps.count == 1)
        #expect(forwarder.status.lastError?.contains("queue could not settle") == true)
        clock.advanceToNextDeadline()
        await outbox.waitForDelivered(2)
        #expect(platform.timestamps.count == 2)  // sent again once; the platform counts it once
        task.cancel()
        _ = try? await task.value
    }

    /// Issue 26: once in six faulty runs a request followed a `429` with
    /// `Retry-After: 1` after 1 ms. It was the clock probe: with the clock not
    /// yet trusted, the forwarder asks the platform for its time every minute,
    /// and that request did not look at the link's pause. Every request waits.
    @Test func theClockProbeRespectsRetryAfterToo() async throws {
        let clock = TestClock()
        let outbox = InMemoryOutbox()
        let busy = UplinkResponse(status: 429, headers: [HeaderField("Retry-After", "3600")])
        let platform = InProcessPlatform(wall: clock.wall, skew: 0, fixedAnswer: busy)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // No NTP: the clock is not trusted, so the forwarder probes the platform's.
        let watch = ClockWatch(bootID: "test") { [wall = clock.wall] in
            let now = wall.now()
            return ClockSample(wall: now, boot: now.timeIntervalSince1970, kernelUnsynchronized: true)
        }
        let forwarder = UplinkForwarder(outbox: outbox, adapter: platform.adapter, transport: platform, basePath: "/api/v1",
                                        tuning: .init(retryPolicy: RetryPolicy(base: 0.01, cap: 0.05)), clock: clock,
                                        wallClock: clock.wall, clockWatch: watch, logger: logger)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        outbox.enqueue(Samples.batch(2), at: clock.wall.now())
        // The first probe (answered 429, no Date), then the batch (429,
        // Retry-After 3600): neither needs the test clock to move.
        #expect(await eventually(timeout: .seconds(20)) { platform.timestamps.count == 2 })
        // The forwarder's next wake-up is the end of the pause, not the next
        // minute's clock probe (before the fix: 60 s).
        #expect(await eventually(timeout: .seconds(10)) { (clock.nextDeadline?.offset ?? .zero) >= .seconds(3600) },
                "next wake-up at \(String(describing: clock.nextDeadline?.offset))")
        #expect(platform.timestamps.count == 2)
        #expect(clock.now.offset == .zero)
        task.cancel()
        _ = try? await task.value
    }
}
