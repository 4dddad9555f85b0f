import EvalConcurrency
import EvalCore
import EvalPlatform
import Foundation
import Logging
import Synchronization

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
        clockWatch: ClockWatch = ClockWatch(),
        logger: Logger = Logger(label: "evald.uplink")
    ) {
        self.init(outbox: outbox, adapter: adapter, transport: transport, basePath: basePath, tuning: tuning,
                  clock: ContinuousClock(), wallClock: wallClock, clockWatch: clockWatch, logger: logger)
    }

    /// Builds the production forwarder from configuration: loads the secret,
    /// the adapter and an HTTPS transport.
    public static func make(configuration: UplinkConfiguration, outbox: any Outbox, clockWatch: ClockWatch = ClockWatch(),
                            logger: Logger) throws -> Forwarder {
        try configuration.validate()
        let secret = try SecretLoader.load(file: configuration.appSecretFile, credentialName: configuration.appSecretCredential)
        // The adapter is data (issue 26): the built-in evald-json/1 definition or a province's file.
        let definition = try AdapterDefinition.resolve(configuration.adapter)
        let adapter = try DefinedAdapter(definition: definition, appKey: configuration.appKey, secret: secret,
                                         settings: .init(satisfactionScale: configuration.satisfactionScale, pfMap: configuration.pfMap))
        let policy = RetryPolicy(base: configuration.backoffBase.seconds, cap: configuration.backoffCap.seconds)
        return Forwarder(
            outbox: outbox,
            adapter: adapter,
            transport: try HTTPUplinkTransport(configuration: configuration),
            basePath: configuration.basePath,
            tuning: Tuning(batchSize: min(configuration.batchSize, definition.maxBatchSize), maxInFlight: configuration.maxInFlight, retryPolicy: policy,
                           uncertainTime: configuration.uncertainTime),
            clockWatch: clockWatch,
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
    private let clockWatch: ClockWatch
    private let uncertainTime: AssessTimeCheck.UncertainPolicy
    /// When the platform's clock was last asked for (at most one probe per `AssessTimeCheck.waitInterval`).
    private let lastClockProbe = Mutex<C.Instant?>(nil)
    /// When a store failure was last logged (at most one critical line a minute).
    private let lastStoreFailureLog = Mutex<C.Instant?>(nil)
    private let statusChange = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    private let state: Mutex<LinkStateMachine<C.Instant>>
    /// Claimed evaluations by id, until settled (the machine deals in ids).
    private let claimed = Mutex<[EvaluationID: Evaluation]>([:])
    /// Answers not yet given to the machine.
    private let answers = Mutex<[(LinkStateMachine<C.Instant>.RequestID, BatchVerdict)]>([])

    public init(
        outbox: any Outbox,
        adapter: any UplinkAdapter,
        transport: any UplinkTransport,
        basePath: String,
        tuning: Tuning = Tuning(),
        clock: C,
        wallClock: any WallClock = SystemWallClock(),
        clockWatch: ClockWatch = ClockWatch(),
        logger: Logger = Logger(label: "evald.uplink")
    ) {
        precondition((1...EvaldJSONAdapter.maxBatchSize).contains(tuning.batchSize) && tuning.maxInFlight >= 1)
        self.outbox = outbox
        self.adapter = adapter
        self.transport = transport
        self.basePath = basePath
        self.clock = clock
        self.wallClock = wallClock
        self.clockWatch = clockWatch
        self.uncertainTime = tuning.uncertainTime
        self.logger = logger
        doorbell = Doorbell(clock: clock)
        state = Mutex(LinkStateMachine(settings: .init(
            batchSize: tuning.batchSize, maxInFlight: tuning.maxInFlight, policy: tuning.retryPolicy,
            clockOffsetThreshold: tuning.clockOffsetThreshold, loudReportInterval: .seconds(tuning.loudLogInterval))))
        // A new judgement, whoever saw it (the pipeline at an input, a
        // metrics scrape, this loop), is logged once and wakes the loop: it
        // may have to ask the platform's clock again.
        clockWatch.onChange { [weak self] report in
            self?.logClock(report)
            self?.doorbell.ring()
        }
        // A record made pending (by the pipeline, an operator) wakes the loop
        // from the thread that made it so.
        outbox.onPending { [doorbell] in doorbell.ring() }
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
            try await loop()
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
                let nextProbe = await probeIfNoEvidence()
                var deadline: C.Instant?
                while !actions.isEmpty {
                    switch actions.removeFirst() {
                    case .claim(let limit):
                        do {
                            actions += try await claim(limit: limit)
                        } catch where !(error is CancellationError) {
                            actions += storeFailed("claim", error)
                        }
                    case .send(let id, let ids, let offset):
                        let batch = claimed.withLock { all in ids.compactMap { all[$0] } }
                        group.addTask {
                            let verdict = try await self.attempt(batch, timestampOffset: offset)
                            self.answers.withLock { $0.append((id, verdict)) }
                            self.doorbell.ring()
                        }
                    case .settle(let outcomes):
                        // Trusted time: a delivery stamped by a wrong clock would be pruned too soon.
                        do {
                            try await outbox.settle(outcomes, now: clockWatch.trustedNow() ?? wallClock.now())
                        } catch where !(error is CancellationError) {
                            // A claim the machine asked for with this answer waits for the pause too.
                            actions.removeAll { if case .claim = $0 { true } else { false } }
                            actions += storeFailed("settle", error)
                        }
                        claimed.withLock { all in for outcome in outcomes { all[outcome.evaluationId] = nil } }
                    case .wait(let until):
                        deadline = until
                    case .report(let report):
                        log(report)
                    }
                }
                await doorbell.wait(until: [deadline, nextProbe].compactMap { $0 }.min())
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

    /// A claim or settle the store refused: the daemon stays up (a full disk
    /// must not become a restart loop that forwards nothing), the link waits
    /// (`LinkStateMachine.storeFailed`), and one critical line a minute says so.
    private func storeFailed(_ what: String, _ error: any Error) -> [LinkStateMachine<C.Instant>.Action] {
        let now = clock.now
        let loud = lastStoreFailureLog.withLock { last in
            guard last.map({ $0.duration(to: now) >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        if loud {
            logger.critical("the queue could not \(what) (\(error)): forwarding goes on, what the platform answered is sent again once the store writes (the platform counts it once); free space on the queue's disk")
        }
        return state.withLock { $0.storeFailed("queue could not \(what): \(error)", now: now, wallNow: wallClock.now()) }
    }

    private func claim(limit: Int) async throws -> [LinkStateMachine<C.Instant>.Action] {
        let claimedRecords = try await outbox.claim(limit: limit, now: wallClock.now())
        let records: [OutboxRecord]
        do {
            records = try await checkTimes(claimedRecords)
        } catch {
            // Not sent, not settled: give them back, or they stay claimed for ever.
            await outbox.release(claimedRecords.map(\.evaluation.evaluationId))
            throw error
        }
        claimed.withLock { all in for record in records { all[record.evaluation.evaluationId] = record.evaluation } }
        var due: C.Instant?
        if records.count < limit, let date = try await outbox.nextDue() {
            due = clock.now.advanced(by: .seconds(date.timeIntervalSince(wallClock.now())))
        }
        let now = clock.now
        return state.withLock { $0.claimed(records.map(\.evaluation.evaluationId), nextDue: due, now: now) }
    }

    // MARK: Times (never send an assessTime known to be wrong)

    /// The claimed records that may go now, re-dated where their time was
    /// stamped while the clock was untrusted; the rest go back to pending,
    /// held (with the reason as their last error) or waiting for the
    /// platform's clock.
    private func checkTimes(_ records: [OutboxRecord]) async throws -> [OutboxRecord] {
        var trust = clockWatch.judgement
        func verdict(_ record: OutboxRecord) -> AssessTimeCheck.Verdict {
            AssessTimeCheck.verdict(for: record.evaluation, clock: trust, uncertain: uncertainTime)
        }
        if records.contains(where: { verdict($0) == .waitForClock }), await probePlatformClock() {
            trust = clockWatch.judgement
        }
        var ready: [OutboxRecord] = []
        var redated: [Evaluation] = []
        var held: [(Evaluation, String, TimeInterval)] = []
        for record in records {
            switch verdict(record) {
            case .send: ready.append(record)
            case .redate(let evaluation):
                redated.append(evaluation)
                ready.append(OutboxRecord(evaluation: evaluation, attempts: record.attempts))
            case .waitForClock: held.append((record.evaluation, AssessTimeCheck.waiting, AssessTimeCheck.waitInterval))
            case .hold(let reason): held.append((record.evaluation, reason, AssessTimeCheck.holdInterval))
            }
        }
        if !redated.isEmpty {
            // Stored before it is sent: a retry sends the same assessTime.
            try await outbox.redate(redated)
            logger.notice("\(redated.count) evaluation(s) stamped while the clock was not trusted re-dated from a trusted anchor",
                          metadata: ["first": "\(redated[0].evaluationId)", "assessTime": "\(redated[0].assessTime)"])
        }
        if !held.isEmpty {
            let wallNow = wallClock.now()
            try await outbox.settle(held.map { .retry($0.0.evaluationId, error: $0.1, notBefore: wallNow + $0.2, reason: .clock) }, now: wallNow)
            let waiting = held.filter { $0.1 == AssessTimeCheck.waiting }.count
            if waiting < held.count {
                logger.error("\(held.count - waiting) evaluation(s) held, not sent: no trusted time exists for them (see evalctl status; evalctl queue release)",
                             metadata: ["first": "\(held[0].0.evaluationId)", "assessTime": "\(held[0].0.assessTime)"])
            }
            if waiting > 0 {
                logger.warning("\(waiting) evaluation(s) wait for a trusted clock before they are sent (no NTP, no platform answer yet)")
            }
        }
        return ready
    }

    /// While the clock is not trusted (no NTP and no platform answer yet, a
    /// jump, a platform that disagrees), nothing else would ask the platform
    /// while the queue is empty, yet default ratings and retention wait for
    /// trusted time: ask it, at most once per `idleProbeInterval`. Returns
    /// when to ask again (nil once trusted: then no periodic wake-up remains).
    private func probeIfNoEvidence() async -> C.Instant? {
        guard !clockWatch.judgement.state.isTrusted else { return nil }
        let now = clock.now
        if let pause = linkPause(at: now) { return pause }
        let last = lastClockProbe.withLock { $0 }
        if let last, last.duration(to: now) < .seconds(Self.idleProbeInterval) {
            return last.advanced(by: .seconds(Self.idleProbeInterval))
        }
        _ = await probePlatformClock()
        guard !clockWatch.judgement.state.isTrusted else { return nil }
        return clock.now.advanced(by: .seconds(Self.idleProbeInterval))
    }

    static var idleProbeInterval: TimeInterval { 60 }

    /// The end of the link's pause (backoff, the platform's `Retry-After`)
    /// if it is still on: it holds for every request, the clock probe too.
    private func linkPause(at now: C.Instant) -> C.Instant? {
        state.withLock { $0.pausedUntil }.flatMap { $0 > now ? $0 : nil }
    }

    /// Asks the platform for its time (a request that stores nothing); true
    /// when an answer with a `Date` came. At most once per wait interval.
    private func probePlatformClock() async -> Bool {
        let now = clock.now
        guard linkPause(at: now) == nil else { return false }
        let due = lastClockProbe.withLock { last in
            if let last, last.duration(to: now) < .seconds(AssessTimeCheck.waitInterval) { return false }
            last = now
            return true
        }
        guard due else { return false }
        let timestamp = Self.timestampMillis(wall: wallClock.now(), platformOffset: state.withLock { $0.status.platformClockOffset })
        let request = adapter.clockProbe(basePath: basePath, timestampMillis: timestamp, nonce: nonces.next())
        guard let response = try? await transport.send(request), let date = response.header("Date").flatMap(HTTPDate.parse) else {
            return false
        }
        clockWatch.platformAnswered(date: date)
        let wallNow = wallClock.now()
        for case .report(let report) in state.withLock({ $0.platformClockAnswered(date, wallNow: wallNow) }) { log(report) }
        return true
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
            if let date = response.header("Date").flatMap(HTTPDate.parse) { clockWatch.platformAnswered(date: date) }
            return adapter.decode(response, batch: ids)
        } catch is CancellationError {
            // Stopping: give the records back so the next start sends them at once.
            try? await outbox.settle(ids.map { .retry($0, error: "forwarder stopped", notBefore: now, reason: .stopped) }, now: now)
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
        clockWatch.observeChange()
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

public struct ForwarderTuning: Sendable {
    public var batchSize: Int
    public var maxInFlight: Int
    public var retryPolicy: RetryPolicy
    /// A platform `Date` further than this from ours is a clock problem, not noise.
    public var clockOffsetThreshold: TimeInterval = 30
    /// Loud errors (401) are logged at most this often.
    public var loudLogInterval: TimeInterval = 60
    /// Records from an earlier boot that never had a trusted clock: held (default) or sent as stamped.
    public var uncertainTime: AssessTimeCheck.UncertainPolicy

    public init(batchSize: Int = 100, maxInFlight: Int = 4, retryPolicy: RetryPolicy = RetryPolicy(),
                uncertainTime: AssessTimeCheck.UncertainPolicy = .hold) {
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
        self.retryPolicy = retryPolicy
        self.uncertainTime = uncertainTime
    }
}

