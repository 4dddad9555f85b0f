import EvalCore
import Foundation
import Logging

/// Delivers the outbox to the platform in real time.
///
/// It sleeps until the outbox signals a new pending record or the next
/// retry falls due (no polling loop); an evaluation on an idle link goes out
/// at once, a backlog in batches with at most `maxInFlight` requests in
/// flight (bad reviews first: the outbox orders claims). Every claimed
/// record is settled: delivered, dead-lettered with the platform's reason, or
/// back to pending with a backoff; a re-sent record answered `duplicate`
/// counts as delivered, so a crash between "sent" and "settled" is harmless.
///
/// `run()` is a service loop: start it once, cancel it to stop.
public final class Forwarder: Sendable {
    public struct Tuning: Sendable {
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

    private let outbox: any Outbox
    private let adapter: any UplinkAdapter
    private let transport: any UplinkTransport
    private let basePath: String
    private let tuning: Tuning
    private let classifier: BatchClassifier
    private let wallClock: any WallClock
    private let logger: Logger
    private let nonces = NonceGenerator()
    private let statusBox = StatusBox()
    private let doorbell = Doorbell()
    private let clock = ClockWatch()

    public init(
        outbox: any Outbox,
        adapter: any UplinkAdapter,
        transport: any UplinkTransport,
        basePath: String,
        tuning: Tuning = Tuning(),
        wallClock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "evald.uplink")
    ) {
        precondition((1...EvaldJSONAdapter.maxBatchSize).contains(tuning.batchSize) && tuning.maxInFlight >= 1)
        self.outbox = outbox
        self.adapter = adapter
        self.transport = transport
        self.basePath = basePath
        self.tuning = tuning
        self.classifier = BatchClassifier(policy: tuning.retryPolicy)
        self.wallClock = wallClock
        self.logger = logger
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

    /// A snapshot for `evalctl status` and metrics; never blocks on the network.
    public var status: UplinkStatus { statusBox.read() }

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
        while true {
            try Task.checkCancellation()
            checkClock()
            let sent = try await drain()
            var timeout = try await secondsUntilWake()
            // The outbox says something is due but gave us nothing to claim
            // (e.g. it counts rows still in flight): never spin on that.
            if sent == 0, let seconds = timeout, seconds < Self.minimumIdleWait { timeout = Self.minimumIdleWait }
            await doorbell.wait(timeout: timeout)
        }
    }

    private static let minimumIdleWait: TimeInterval = 0.05

    /// When the next record is due, but never before a link-wide pause ends.
    private func secondsUntilWake() async throws -> TimeInterval? {
        let now = wallClock.now()
        let pause = statusBox.read().backoffUntil
        guard let due = try await outbox.nextDue() else {
            return nil
        }
        let wake = max(due, pause ?? due)
        return max(0, wake.timeIntervalSince(now))
    }

    private func linkPaused(at now: Date) -> Bool {
        guard let until = statusBox.read().backoffUntil else { return false }
        return until > now
    }

    /// Claims and sends until nothing is due or the link pauses, with at most
    /// `maxInFlight` requests outstanding. Returns the number of batches sent.
    private func drain() async throws -> Int {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var sent = 0
            while true {
                while inFlight < tuning.maxInFlight {
                    let now = wallClock.now()
                    if linkPaused(at: now) { break }
                    let records = try await outbox.claim(limit: tuning.batchSize, now: now)
                    if records.isEmpty { break }
                    group.addTask { try await self.deliver(records.map(\.evaluation)) }
                    inFlight += 1
                    sent += 1
                }
                if inFlight == 0 { return sent }
                try await group.next()
                inFlight -= 1
            }
        }
    }

    // MARK: One batch

    private func deliver(_ evaluations: [Evaluation]) async throws {
        var byId: [EvaluationID: Evaluation] = [:]
        for evaluation in evaluations { byId[evaluation.evaluationId] = evaluation }
        var work: [[Evaluation]] = [evaluations]
        while let batch = work.popLast() {
            let plan = try await attempt(batch)
            switch plan {
            case .split(let halves):
                for half in halves.reversed() { work.append(half.compactMap { byId[$0] }) }
            case .settle(let outcomes, let link):
                try await outbox.settle(outcomes, now: wallClock.now())
                record(outcomes, link: link, batchSize: batch.count)
            }
        }
    }

    private func attempt(_ batch: [Evaluation]) async throws -> BatchPlan {
        let ids = batch.map(\.evaluationId)
        let now = wallClock.now()
        let verdict: BatchVerdict
        do {
            let offset = statusBox.read().platformClockOffset
            let timestamp = Int64(((now.timeIntervalSince1970 + offset) * 1000).rounded())
            let request = try adapter.encode(batch, basePath: basePath, timestampMillis: timestamp, nonce: nonces.next())
            statusBox.update { $0.requests += 1 }
            let response = try await transport.send(request)
            verdict = adapter.decode(response, batch: ids)
        } catch is CancellationError {
            // Stopping: give the records back so the next start sends them at once.
            try? await outbox.settle(ids.map { .retry($0, error: "forwarder stopped", notBefore: now) }, now: now)
            throw CancellationError()
        } catch {
            verdict = .failure(.transport(reason: "\(error)"))
        }

        if case .failure(.unauthorized(_, let platformDate?)) = verdict {
            adoptPlatformClock(platformDate, now: wallClock.now())
        }
        let failures: Int
        if Self.isLinkFailure(verdict) {
            failures = statusBox.update { status -> Int in
                status.consecutiveFailures += 1
                return status.consecutiveFailures
            }
        } else {
            failures = 0
        }
        var generator = SystemRandomNumberGenerator()
        return classifier.plan(for: verdict, batch: ids, failures: failures, now: wallClock.now(), using: &generator)
    }

    private static func isLinkFailure(_ verdict: BatchVerdict) -> Bool {
        switch verdict {
        case .perRecord, .failure(.malformedBatch), .failure(.tooLarge): false
        case .failure: true
        }
    }

    // MARK: Status and logs

    private func record(_ outcomes: [DeliveryOutcome], link: LinkEffect, batchSize: Int) {
        let now = wallClock.now()
        var delivered = 0
        for outcome in outcomes {
            switch outcome {
            case .delivered: delivered += 1
            case .rejected(let id, let reason):
                logger.warning("platform rejected an evaluation; kept as a dead letter", metadata: ["evaluationId": "\(id)", "reason": "\(reason)"])
            case .retry: break
            }
        }
        let rejected = outcomes.count { if case .rejected = $0 { true } else { false } }
        switch link {
        case .healthy:
            let recovered = statusBox.update { status -> Bool in
                let wasFailing = status.consecutiveFailures > 0 || status.authFailing
                status.delivered += delivered
                status.rejected += rejected
                if delivered > 0 { status.lastDeliveryAt = now }
                status.consecutiveFailures = 0
                status.authFailing = false
                status.backoffUntil = nil
                return wasFailing
            }
            if recovered { logger.notice("platform link recovered") }
        case .failing(let reason, let notBefore, let authFailing):
            let (failures, shouldLogLoudly) = statusBox.update { status -> (Int, Bool) in
                status.lastError = reason
                status.lastErrorAt = now
                status.authFailing = authFailing
                status.backoffUntil = max(status.backoffUntil ?? notBefore, notBefore)
                return (status.consecutiveFailures, true)
            }
            let metadata: Logger.Metadata = [
                "records": "\(batchSize)", "failures": "\(failures)",
                "retryIn": "\(String(format: "%.2f", max(0, notBefore.timeIntervalSince(now)))) s",
            ]
            if authFailing {
                if shouldLogLoudly, loudLog.allow(now: SystemClockProbe.bootSeconds(), interval: tuning.loudLogInterval) {
                    logger.error("PLATFORM REFUSES OUR CREDENTIALS (401): check uplink.app_key, the app secret and the clock; records stay queued. \(reason)", metadata: metadata)
                }
            } else {
                logger.warning("delivery failed, will retry: \(reason)", metadata: metadata)
            }
        }
    }

    private let loudLog = RateLimit()

    private func adoptPlatformClock(_ platformDate: Date, now: Date) {
        // `Date` has 1 s resolution and the answer took a while: only a large
        // difference means our clock is wrong rather than our credentials.
        let offset = platformDate.timeIntervalSince(now)
        let adopted = abs(offset) > tuning.clockOffsetThreshold ? offset : 0
        let changed = statusBox.update { status -> Bool in
            defer { status.platformClockOffset = adopted }
            return abs(status.platformClockOffset - adopted) > 1
        }
        if changed {
            logger.error("our clock differs from the platform's by \(Int(offset.rounded())) s; signing with the platform's time until the clock is fixed")
        }
    }

    private func checkClock() {
        let state = clock.observe()
        let previous = statusBox.update { status -> ClockState in
            defer { status.clock = state }
            return status.clock
        }
        guard state != previous else { return }
        switch state {
        case .synchronized, .unknown:
            logger.info("wall clock: \(state)")
        case .unsynchronized, .beforeBuildFloor, .jumped:
            logger.warning("wall clock: \(state); assessTime values recorded now may be wrong")
        }
    }
}

/// The forwarder's own clock monitor, sampled on each wake-up.
final class ClockWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var monitor = ClockMonitor()

    func observe() -> ClockState {
        let sample = SystemClockProbe.sample()
        return lock.withLock { monitor.observe(sample) }
    }
}

/// At most one event per interval (of monotonic seconds).
final class RateLimit: @unchecked Sendable {
    private let lock = NSLock()
    private var last: TimeInterval?

    func allow(now: TimeInterval, interval: TimeInterval) -> Bool {
        lock.withLock {
            if let last, now - last < interval { return false }
            last = now
            return true
        }
    }
}

extension Duration {
    var seconds: TimeInterval {
        let (s, atto) = components
        return TimeInterval(s) + TimeInterval(atto) / 1e18
    }
}
