import EvalCore
import Foundation
import Logging

/// The production forwarder: the real clock.
public typealias Forwarder = UplinkForwarder<ContinuousClock>

extension UplinkForwarder where C == ContinuousClock {
    public convenience init(
        outbox: any Outbox,
        adapter: any UplinkAdapter,
        transport: any UplinkTransport,
        basePath: String,
        tuning: Tuning = Tuning(),
        wallClock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "evald.uplink")
    ) {
        self.init(outbox: outbox, adapter: adapter, transport: transport, basePath: basePath, tuning: tuning,
                  clock: ContinuousClock(), wallClock: wallClock, logger: logger)
    }

    /// Builds the production forwarder from configuration: loads the secret,
    /// the adapter and an HTTPS transport.
    public static func make(configuration: UplinkConfiguration, outbox: any Outbox, logger: Logger) throws -> Forwarder {
        try configuration.validate()
        let secret = try SecretLoader.load(file: configuration.appSecretFile, credentialName: configuration.appSecretCredential)
        let signer = RequestSigner(appKey: configuration.appKey, secret: secret)
        let adapter = EvaldJSONAdapter(signer: signer, settings: .init(satisfactionScale: configuration.satisfactionScale, pfMap: configuration.pfMap))
        let policy = RetryPolicy(base: configuration.backoffBase.seconds, cap: configuration.backoffCap.seconds)
        return Forwarder(
            outbox: outbox,
            adapter: adapter,
            transport: try HTTPUplinkTransport(configuration: configuration),
            basePath: configuration.basePath,
            tuning: Tuning(batchSize: configuration.batchSize, maxInFlight: configuration.maxInFlight, retryPolicy: policy),
            logger: logger
        )
    }
}

/// Delivers the outbox to the platform in real time.
///
/// The decisions — what to claim, when to send, backoff, Retry-After, the
/// 401 state, the platform's clock offset — are `LinkStateMachine`'s; this
/// class performs its actions: claims and settles in the outbox, sends over
/// the transport (at most `maxInFlight` requests at once), logs, and sleeps
/// on a doorbell until a record becomes pending, an answer arrives or the
/// machine's deadline on clock `C` passes (no polling loop). Every claimed
/// record is settled: delivered, dead-lettered with the platform's reason, or
/// back to pending with a backoff; a re-sent record answered `duplicate`
/// counts as delivered, so a crash between "sent" and "settled" is harmless.
///
/// `run()` is a service loop: start it once, cancel it to stop.
public final class UplinkForwarder<C: Clock>: Sendable where C.Duration == Duration, C.Instant: Sendable {
    public typealias Tuning = ForwarderTuning

    private let outbox: any Outbox
    private let adapter: any UplinkAdapter
    private let transport: any UplinkTransport
    private let basePath: String
    private let clock: C
    private let wallClock: any WallClock
    private let logger: Logger
    private let nonces = NonceGenerator()
    private let doorbell: Doorbell<C>
    private let clockWatch = ClockWatch()
    private let statusChange = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    private let state: Locked<LinkStateMachine<C.Instant>>
    /// Claimed evaluations by id, until settled (the machine deals in ids).
    private let claimed = Locked<[EvaluationID: Evaluation]>([:])
    /// Answers not yet given to the machine.
    private let answers = Locked<[(LinkStateMachine<C.Instant>.RequestID, BatchVerdict)]>([])

    public init(
        outbox: any Outbox,
        adapter: any UplinkAdapter,
        transport: any UplinkTransport,
        basePath: String,
        tuning: Tuning = Tuning(),
        clock: C,
        wallClock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "evald.uplink")
    ) {
        precondition((1...EvaldJSONAdapter.maxBatchSize).contains(tuning.batchSize) && tuning.maxInFlight >= 1)
        self.outbox = outbox
        self.adapter = adapter
        self.transport = transport
        self.basePath = basePath
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        doorbell = Doorbell(clock: clock)
        state = Locked(LinkStateMachine(settings: .init(
            batchSize: tuning.batchSize, maxInFlight: tuning.maxInFlight, policy: tuning.retryPolicy,
            clockOffsetThreshold: tuning.clockOffsetThreshold, loudReportInterval: .seconds(tuning.loudLogInterval))))
    }

    /// A snapshot for `evalctl status` and metrics; never blocks on the network.
    public var status: UplinkStatus {
        var status = state.withLock { $0.status }
        status.clock = clockWatch.last
        return status
    }

    /// Yields when `status` may hold news for the status file (an answer from
    /// the platform, a new clock judgement); nothing copies it on a timer.
    public var statusChanges: AsyncStream<Void> { statusChange.stream }

    // MARK: Service loop

    /// Runs until cancelled, then shuts the transport down.
    public func run() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [outbox, doorbell] in
                    for await _ in outbox.pendingSignals() { doorbell.ring() }
                }
                group.addTask { try await self.loop() }
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Stopping is not an error.
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try? await transport.shutdown()
    }

    private func loop() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var actions = state.withLock { $0.wake(now: clock.now) }
            while true {
                try Task.checkCancellation()
                checkClock()
                var deadline: C.Instant?
                while !actions.isEmpty {
                    switch actions.removeFirst() {
                    case .claim(let limit):
                        actions += try await claim(limit: limit)
                    case .send(let id, let ids, let offset):
                        let batch = claimed.withLock { all in ids.compactMap { all[$0] } }
                        group.addTask {
                            let verdict = try await self.attempt(batch, timestampOffset: offset)
                            self.answers.withLock { $0.append((id, verdict)) }
                            self.doorbell.ring()
                        }
                    case .settle(let outcomes):
                        try await outbox.settle(outcomes, now: wallClock.now())
                        claimed.withLock { all in for outcome in outcomes { all[outcome.evaluationId] = nil } }
                    case .wait(let until):
                        deadline = until
                    case .report(let report):
                        log(report)
                    }
                }
                await doorbell.wait(until: deadline)
                let arrived = answers.withLock { all in defer { all.removeAll() } ; return all }
                let now = clock.now
                let wallNow = wallClock.now()
                var generator = SystemRandomNumberGenerator()
                actions = state.withLock { machine in
                    arrived.flatMap { machine.answered($0.0, verdict: $0.1, now: now, wallNow: wallNow, using: &generator) }
                        + machine.wake(now: now)
                }
                // An answer changes what `status` shows: publish it now (there is no periodic copy).
                if !arrived.isEmpty { statusChange.continuation.yield() }
            }
        }
    }

    private func claim(limit: Int) async throws -> [LinkStateMachine<C.Instant>.Action] {
        var records = try await outbox.claim(limit: limit, now: wallClock.now())
        let held = records.filter { AssessTimeCheck.isKnownWrong($0.evaluation) }
        if !held.isEmpty {
            records.removeAll { AssessTimeCheck.isKnownWrong($0.evaluation) }
            let wallNow = wallClock.now()
            try await outbox.settle(held.map {
                .retry($0.evaluation.evaluationId, error: AssessTimeCheck.reason, notBefore: wallNow + AssessTimeCheck.holdInterval)
            }, now: wallNow)
            logger.error("\(held.count) evaluation(s) dated before the build date are held, not sent: the clock had lost its time when they were made",
                         metadata: ["first": "\(held[0].evaluation.evaluationId)", "assessTime": "\(held[0].evaluation.assessTime)"])
        }
        claimed.withLock { all in for record in records { all[record.evaluation.evaluationId] = record.evaluation } }
        var due: C.Instant?
        if records.count < limit, let date = try await outbox.nextDue() {
            due = clock.now.advanced(by: .seconds(date.timeIntervalSince(wallClock.now())))
        }
        let now = clock.now
        return state.withLock { $0.claimed(records.map(\.evaluation.evaluationId), nextDue: due, now: now) }
    }

    // MARK: One request

    /// Sends one batch; `X-Timestamp` is our wall time plus the platform
    /// offset the machine learned. The records themselves (assessTime) are
    /// sent exactly as queued.
    private func attempt(_ batch: [Evaluation], timestampOffset: TimeInterval) async throws -> BatchVerdict {
        let ids = batch.map(\.evaluationId)
        let now = wallClock.now()
        do {
            let timestamp = Self.timestampMillis(wall: now, platformOffset: timestampOffset)
            let request = try adapter.encode(batch, basePath: basePath, timestampMillis: timestamp, nonce: nonces.next())
            let response = try await transport.send(request)
            if let date = response.header("Date").flatMap(HTTPDate.parse), let change = clockWatch.platformAnswered(date: date) {
                logClock(change)
            }
            return adapter.decode(response, batch: ids)
        } catch is CancellationError {
            // Stopping: give the records back so the next start sends them at once.
            try? await outbox.settle(ids.map { .retry($0, error: "forwarder stopped", notBefore: now) }, now: now)
            throw CancellationError()
        } catch {
            return .failure(.transport(reason: "\(error)"))
        }
    }

    /// `X-Timestamp`: our wall clock corrected by the platform's offset.
    static func timestampMillis(wall: Date, platformOffset: TimeInterval) -> Int64 {
        Int64(((wall.timeIntervalSince1970 + platformOffset) * 1000).rounded())
    }

    // MARK: Status and logs

    private func log(_ report: LinkStateMachine<C.Instant>.Report) {
        switch report {
        case .recovered:
            logger.notice("platform link recovered")
        case .rejected(let id, let reason):
            logger.warning("platform rejected an evaluation; kept as a dead letter", metadata: ["evaluationId": "\(id)", "reason": "\(reason)"])
        case .credentialsRefused(let reason, let retryIn, let records, let failures):
            logger.error("PLATFORM REFUSES OUR CREDENTIALS (401): check uplink.app_key, the app secret and the clock; records stay queued. \(reason)",
                         metadata: Self.metadata(retryIn: retryIn, records: records, failures: failures))
        case .failed(let reason, let retryIn, let records, let failures):
            logger.warning("delivery failed, will retry: \(reason)", metadata: Self.metadata(retryIn: retryIn, records: records, failures: failures))
        case .platformClockOffset(let seconds):
            logger.error("our clock differs from the platform's by \(Int(seconds.rounded())) s; signing requests (X-Timestamp only, never assessTime) with the platform's time until the clock is fixed")
        }
    }

    private static func metadata(retryIn: TimeInterval, records: Int, failures: Int) -> Logger.Metadata {
        ["records": "\(records)", "failures": "\(failures)", "retryIn": "\(String(format: "%.2f", max(0, retryIn))) s"]
    }

    private func checkClock() {
        if let change = clockWatch.observeChange() { logClock(change) }
    }

    private func logClock(_ report: ClockReport) {
        statusChange.continuation.yield()
        if report.trusted {
            logger.notice("wall clock: \(report.detail)")
        } else {
            logger.warning("wall clock: \(report.detail); assessTime values recorded now may be wrong")
        }
    }
}

/// A value behind a lock, for state shared between the loop and request tasks.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&value) }
    }
}

public struct ForwarderTuning: Sendable {
    public var batchSize: Int
    public var maxInFlight: Int
    public var retryPolicy: RetryPolicy
    /// A platform `Date` further than this from ours is a clock problem, not noise.
    public var clockOffsetThreshold: TimeInterval = 30
    /// Loud errors (401) are logged at most this often.
    public var loudLogInterval: TimeInterval = 60

    public init(batchSize: Int = 100, maxInFlight: Int = 4, retryPolicy: RetryPolicy = RetryPolicy()) {
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
        self.retryPolicy = retryPolicy
    }
}

/// The forwarder's judgement of the wall clock (`ClockTrust`), fed a sample
/// of the clocks on each wake-up and the platform's `Date` on each answer.
final class ClockWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var trust = ClockTrust(bootID: SystemClockProbe.bootID)
    private var platformOffset: TimeInterval?
    private var reported: ClockReport?

    /// The judgement at the last observation.
    var last: ClockReport { lock.withLock { ClockReport(trust.state, platformOffset: platformOffset) } }

    /// Samples the clocks; returns the new report if the judgement changed.
    func observeChange() -> ClockReport? {
        let sample = SystemClockProbe.sample()
        return lock.withLock {
            trust.observe(sample)
            return changed()
        }
    }

    /// The platform answered with this `Date`; returns the new report if the judgement changed.
    func platformAnswered(date: Date) -> ClockReport? {
        let sample = SystemClockProbe.sample()
        return lock.withLock {
            trust.platformDate(date, at: sample)
            platformOffset = date.timeIntervalSince(sample.wall)
            return changed()
        }
    }

    /// The report if its state word differs from the last one returned (the offset alone is no change).
    private func changed() -> ClockReport? {
        let report = ClockReport(trust.state, platformOffset: platformOffset)
        guard report.state != reported?.state else { return nil }
        reported = report
        return report
    }
}

extension Duration {
    var seconds: TimeInterval {
        let (s, atto) = components
        return TimeInterval(s) + TimeInterval(atto) / 1e18
    }
}
