import EvalCore
import EvalPlatform
import Foundation

/// The forwarder's link state as a pure state machine: consecutive failures,
/// the backoff deadline, the platform's `Retry-After`, whether the platform
/// accepts our credentials (401), and the platform's clock offset learned
/// from its `Date` header. Its mutating methods take what happened and return
/// what to do (`Action`); `Forwarder` performs the actions (outbox, HTTP,
/// logs, timer). No I/O, no clock reads: instants come in as arguments, so
/// tests drive it through thousands of seeded sequences.
///
/// Wake-up rule (no lost wake-up): whenever it answers `.wait(until:)` with a
/// request slot free, the deadline is no later than the earliest instant at
/// which something can be sent — the earliest due record it knows of, or a
/// split half it holds — and never earlier than the link pause ends.
public struct LinkStateMachine<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    public typealias RequestID = Int

    public struct Settings: Sendable {
        public var batchSize: Int
        public var maxInFlight: Int
        public var policy: RetryPolicy
        /// A platform `Date` further than this from ours is a clock problem, not noise.
        public var clockOffsetThreshold: TimeInterval
        /// Loud reports (401) at most this often.
        public var loudReportInterval: Duration

        public init(batchSize: Int = 100, maxInFlight: Int = 4, policy: RetryPolicy = RetryPolicy(),
                    clockOffsetThreshold: TimeInterval = 30, loudReportInterval: Duration = .seconds(60)) {
            precondition(batchSize >= 1 && maxInFlight >= 1)
            self.batchSize = batchSize
            self.maxInFlight = maxInFlight
            self.policy = policy
            self.clockOffsetThreshold = clockOffsetThreshold
            self.loudReportInterval = loudReportInterval
        }
    }

    public enum Action: Sendable, Hashable {
        /// Claim up to `limit` due records from the outbox, then call `claimed`.
        case claim(limit: Int)
        /// Send these claimed records as request `id`. `timestampOffset` is
        /// added to our wall time for `X-Timestamp` only (never assessTime).
        case send(RequestID, [EvaluationID], timestampOffset: TimeInterval)
        /// Write these outcomes to the outbox.
        case settle([DeliveryOutcome])
        /// Sleep until a doorbell ring, an answer, or `until` (nil: no timer).
        case wait(until: Instant?)
        case report(Report)
    }

    public enum Report: Sendable, Hashable {
        case recovered
        /// 401; rate-limited to one per `loudReportInterval`.
        case credentialsRefused(reason: String, retryIn: TimeInterval, records: Int, failures: Int)
        case failed(reason: String, retryIn: TimeInterval, records: Int, failures: Int)
        case rejected(EvaluationID, reason: String)
        /// The platform's clock differs from ours by this much; X-Timestamp follows it.
        case platformClockOffset(seconds: TimeInterval)
    }

    public enum Auth: Sendable, Hashable { case unknown, accepted, refused }

    public let settings: Settings
    private let classifier: BatchClassifier

    /// What `evalctl status` shows; `clock` is the forwarder's to fill.
    public private(set) var status = UplinkStatus()
    public private(set) var auth = Auth.unknown
    /// Requests on the wire, by id, with the records each carries.
    public private(set) var inFlight: [RequestID: [EvaluationID]] = [:]
    /// Claimed records waiting to go out again as halves (after 400/413).
    public private(set) var splitWork: [[EvaluationID]] = []
    /// No request starts before this (backoff after a link failure; a success clears it).
    public private(set) var backoffUntil: Instant?
    /// No request starts before this (the platform's `Retry-After`; only time clears it).
    public private(set) var retryAfterUntil: Instant?
    /// The earliest next-attempt instant of a pending record, as far as we know.
    public private(set) var nextDue: Instant?
    private var claiming = false
    private var nextRequestID = 1
    private var lastLoudReport: Instant?

    public init(settings: Settings) {
        self.settings = settings
        classifier = BatchClassifier(policy: settings.policy)
    }

    /// The instant before which no request may start, if the link is paused.
    public var pausedUntil: Instant? {
        switch (backoffUntil, retryAfterUntil) {
        case let (a?, b?): max(a, b)
        case let (a?, nil): a
        case let (nil, b): b
        }
    }

    // MARK: Events

    /// A doorbell ring (a record became pending), a timer, or the start: what next.
    public mutating func wake(now: Instant) -> [Action] {
        var actions: [Action] = []
        if let until = pausedUntil, until > now {
            // A ring may mean a record just became pending: look at pause end.
            nextDue = min(nextDue ?? now, now)
            actions.append(.wait(until: wakeDeadline(now: now)))
            return actions
        }
        while inFlight.count < settings.maxInFlight, let half = splitWork.popLast() {
            actions.append(start(half))
        }
        if inFlight.count < settings.maxInFlight && !claiming {
            claiming = true
            actions.append(.claim(limit: settings.batchSize))
        } else if !claiming {
            // Every slot is busy: the next answer wakes us; a timer would only
            // spin on a due time we cannot act on.
            actions.append(.wait(until: nil))
        }
        return actions
    }

    /// The outbox's answer to `.claim`: the records now in flight, and (when
    /// fewer than asked for) the earliest next-attempt instant still pending.
    public mutating func claimed(_ ids: [EvaluationID], nextDue due: Instant?, now: Instant) -> [Action] {
        claiming = false
        if ids.count < settings.batchSize { nextDue = due }
        guard !ids.isEmpty else {
            // An outbox that says "due" but gives nothing must not make us spin.
            if let due, due <= now { nextDue = now.advanced(by: Self.minimumIdleWait) }
            return [.wait(until: wakeDeadline(now: now))]
        }
        return [start(ids)] + wake(now: now)
    }

    /// The platform's verdict on request `id` (answers, timeouts, resets),
    /// with our wall time for the outbox's next-attempt times. Call `wake`
    /// afterwards for what to send next.
    public mutating func answered(
        _ id: RequestID, verdict: BatchVerdict, now: Instant, wallNow: Date,
        using generator: inout some RandomNumberGenerator
    ) -> [Action] {
        guard let ids = inFlight.removeValue(forKey: id) else { return [] }
        var actions: [Action] = []
        if case .failure(.unauthorized(_, let date?)) = verdict { actions += adoptPlatformClock(date, wallNow: wallNow) }
        let failures = Self.isLinkFailure(verdict) ? status.consecutiveFailures + 1 : 0
        switch classifier.plan(for: verdict, batch: ids, failures: failures, now: wallNow, using: &generator) {
        case .split(let halves):
            splitWork += halves.reversed()
        case .settle(let outcomes, .healthy):
            actions.append(.settle(outcomes))
            let delivered = outcomes.count { if case .delivered = $0 { true } else { false } }
            for case .rejected(let id, let reason) in outcomes { actions.append(.report(.rejected(id, reason: reason))) }
            if status.consecutiveFailures > 0 || auth == .refused { actions.append(.report(.recovered)) }
            status.delivered += delivered
            status.rejected += outcomes.count - delivered
            if delivered > 0 { status.lastDeliveryAt = wallNow }
            status.consecutiveFailures = 0
            status.authFailing = false
            auth = .accepted
            backoffUntil = nil
        case .settle(let outcomes, .failing(let reason, let notBefore, let authFailing)):
            actions.append(.settle(outcomes))
            let delay = notBefore.timeIntervalSince(wallNow)
            let resume = now.advanced(by: .seconds(delay))
            status.consecutiveFailures = failures
            status.lastError = reason
            status.lastErrorAt = wallNow
            status.authFailing = authFailing
            if authFailing { auth = .refused }
            // The latest failure decides (its delay already grew with the failure
            // count); an older, longer jitter must not hold records due sooner.
            backoffUntil = resume
            if case .failure(.throttled(_, _?)) = verdict { retryAfterUntil = max(retryAfterUntil ?? resume, resume) }
            nextDue = min(nextDue ?? resume, resume)
            if authFailing {
                if lastLoudReport.map({ $0.advanced(by: settings.loudReportInterval) <= now }) ?? true {
                    lastLoudReport = now
                    actions.append(.report(.credentialsRefused(reason: reason, retryIn: delay, records: ids.count, failures: failures)))
                }
            } else {
                actions.append(.report(.failed(reason: reason, retryIn: delay, records: ids.count, failures: failures)))
            }
        }
        status.backoffUntil = pausedUntil.map { wallNow + now.duration(to: $0).seconds }
        return actions
    }

    /// The store could not claim or settle (a full disk, an I/O error).
    /// Nothing is lost: unsettled records are pending in the file and go
    /// again, and the platform answers `duplicate` to one it has. But the
    /// link waits `storeRetry` before its next claim, so a failing store is
    /// not met with a tight loop of resends; a later success clears it.
    public mutating func storeFailed(_ reason: String, now: Instant, wallNow: Date) -> [Action] {
        claiming = false
        let resume = now.advanced(by: Self.storeRetry)
        backoffUntil = max(backoffUntil ?? resume, resume)
        nextDue = min(nextDue ?? resume, resume)
        status.lastError = reason
        status.lastErrorAt = wallNow
        status.backoffUntil = pausedUntil.map { wallNow + now.duration(to: $0).seconds }
        return [.wait(until: wakeDeadline(now: now))]
    }

    static var storeRetry: Duration { .seconds(10) }

    // MARK: Internals

    private mutating func start(_ ids: [EvaluationID]) -> Action {
        let id = nextRequestID
        nextRequestID += 1
        inFlight[id] = ids
        status.requests += 1
        return .send(id, ids, timestampOffset: status.platformClockOffset)
    }

    static var minimumIdleWait: Duration { .milliseconds(50) }

    /// When to wake if no answer wakes us first: the first instant something
    /// can be sent (a due record, split work now), never before the pause
    /// ends; nil when nothing waits.
    private func wakeDeadline(now: Instant) -> Instant? {
        var earliest = nextDue
        if !splitWork.isEmpty { earliest = min(earliest ?? now, now) }
        guard let earliest else { return nil }
        guard let pause = pausedUntil else { return earliest }
        return max(earliest, pause)
    }

    /// The platform's `Date`, from an answer outside any batch (a clock
    /// probe): the `X-Timestamp` offset is learned before a batch is refused.
    public mutating func platformClockAnswered(_ platformDate: Date, wallNow: Date) -> [Action] {
        adoptPlatformClock(platformDate, wallNow: wallNow)
    }

    private mutating func adoptPlatformClock(_ platformDate: Date, wallNow: Date) -> [Action] {
        // `Date` has 1 s resolution and the answer took a while: only a large
        // difference means our clock is wrong rather than our credentials.
        let offset = platformDate.timeIntervalSince(wallNow)
        let adopted = abs(offset) > settings.clockOffsetThreshold ? offset : 0
        defer { status.platformClockOffset = adopted }
        return abs(status.platformClockOffset - adopted) > 1 ? [.report(.platformClockOffset(seconds: offset))] : []
    }

    static func isLinkFailure(_ verdict: BatchVerdict) -> Bool {
        switch verdict {
        case .perRecord, .failure(.malformedBatch), .failure(.tooLarge): false
        case .failure: true
        }
    }
}
