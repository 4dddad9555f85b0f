import EvalCore
import Foundation
import Logging

/// The counter API's logic, without HTTP: it keeps the services
/// (`ServiceRegistry`), feeds the counter sessions through the backend, and
/// turns stored evaluations and countdowns into events. Generic over `Clock`
/// so the countdowns run on a test clock in tests and on the monotonic clock
/// in evald; nothing here reads the wall clock except `openedAt` for display.
public actor CounterAPI<C: Clock>: CounterSessionListener where C.Duration == Duration {
    public struct Limits: Sendable {
        public var opensPerSecond: Double
        public var openBurst: Int
        /// The other mutating routes (cancel, staff login and logout), per window.
        public var writesPerSecond: Double
        public var writeBurst: Int
        public init(opensPerSecond: Double = 10, openBurst: Int = 20, writesPerSecond: Double = 10, writeBurst: Int = 20) {
            self.opensPerSecond = opensPerSecond
            self.openBurst = openBurst
            self.writesPerSecond = writesPerSecond
            self.writeBurst = writeBurst
        }
    }

    /// The reasons a page may send after `rated` (`[api] detail_window_seconds`).
    public struct DetailSettings: Sendable {
        /// 0: no detail is awaited, evaluations go at once (as before).
        public var windowSeconds: Int
        public var catalog: ReasonCatalog
        /// Days after the first rating a 追评 is taken (`[api] follow_up_days`); 0: none.
        public var followUpDays: Int
        public init(windowSeconds: Int = 0, catalog: ReasonCatalog = .national, followUpDays: Int = 0) {
            self.windowSeconds = windowSeconds
            self.catalog = catalog
            self.followUpDays = followUpDays
        }
    }

    let clock: C
    let backend: any CounterBackend
    let detailSettings: DetailSettings
    public nonisolated let events: EventBroadcaster
    let logger: Logger
    let now: @Sendable () -> Date
    private var registry = ServiceRegistry<C.Instant>()
    private var limiter: RateLimiter<String, C.Instant>
    private var writeLimiter: RateLimiter<String, C.Instant>
    private var stopped = false
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    public init(clock: C, backend: any CounterBackend, limits: Limits = Limits(), events: EventBroadcaster = EventBroadcaster(),
                logger: Logger, now: @escaping @Sendable () -> Date = { Date() }, detail: DetailSettings = DetailSettings()) {
        self.clock = clock
        self.detailSettings = detail
        self.backend = backend
        self.events = events
        self.logger = logger
        self.now = now
        limiter = RateLimiter(perSecond: limits.opensPerSecond, burst: limits.openBurst)
        writeLimiter = RateLimiter(perSecond: limits.writesPerSecond, burst: limits.writeBurst)
        (wake, wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Services

    public func open(_ request: APIRequests.Open) async throws(APIError) -> CounterServiceRecord {
        var opening = request.opening
        // The page may send the reasons after the press: its evaluation is held that long.
        if detailSettings.windowSeconds > 0 { opening.ticket.detailWindowSeconds = detailSettings.windowSeconds }
        let windowCode = opening.windowCode
        if let other = registry.windowWaiting(for: opening.ticket.projectNo), other != windowCode {
            throw APIError(409, "case-waiting-elsewhere", "case \(opening.ticket.projectNo) is waiting for its rating at window \(other)",
                           details: ["windowCode": other])
        }
        // Refusals first, so a refused open changes nothing (the window's
        // waiting service stays as it was).
        let precheck = await backend.check(opening)
        if precheck != .opened { try refusal(precheck, opening) }
        // Only configured windows have a bucket (an unknown code is refused above).
        if let retry = limiter.admit(windowCode, at: clock.now) {
            let seconds = RateLimiter<String, C.Instant>.retryAfterSeconds(retry)
            logger.warning("counter API: open refused, too many opens at window \(windowCode)")
            throw APIError(429, "rate-limited", "too many services opened at window \(windowCode); retry in \(seconds) s", retryAfter: seconds)
        }
        let record = CounterServiceRecord(
            serviceId: UUID().uuidString.lowercased(), windowCode: windowCode, ticket: opening.ticket,
            staffLoginName: opening.staff?.loginName, openedAt: now(), countdownSeconds: request.countdownSeconds)
        // Registered before the session sees the case, so a press right after
        // the session opened it finds the service here (the actor is reentrant
        // across the backend's await).
        let replaced = registry.open(record, deadline: clock.now.advanced(by: .seconds(request.countdownSeconds)))
        let outcome = await backend.openService(opening)
        switch outcome {
        case .opened:
            for old in replaced { publishEnd(old) }
            wakeContinuation.yield()
            logger.info("counter API: service \(record.serviceId) opened at window \(windowCode) for case \(opening.ticket.projectNo), countdown \(request.countdownSeconds) s\(opening.citizen.map { ", real-name \($0)" } ?? "")")
            return registry.record(record.serviceId) ?? record
        default:
            // The case was rated between the check and the opening (a press
            // of the previous case, a second client): undo, as if refused.
            registry.withdraw(record.serviceId)
            restore(replaced)
            try refusal(outcome, opening)
            return record
        }
    }

    private func refusal(_ outcome: ServiceOpeningOutcome, _ opening: ServiceOpening) throws(APIError) {
        switch outcome {
        case .opened: return
        case .unknownWindow: throw .unknownWindow(opening.windowCode)
        case .alreadyRated(let evaluationId):
            var details: [String: String] = [:]
            if let evaluationId { details["evaluationId"] = evaluationId }
            throw APIError(409, "already-rated", "case \(opening.ticket.projectNo) has already been rated (one service, one evaluation)",
                           details: details)
        case .ledgerUnavailable:
            throw APIError(503, "store-unavailable", "the agent cannot read its case ledger now; try again")
        }
    }

    public func service(_ serviceId: String) throws(APIError) -> CounterServiceRecord {
        guard let record = registry.record(serviceId) else { throw .notFound("no service \(serviceId) (unknown, or ended long ago)") }
        return record
    }

    public func cancel(_ serviceId: String) async throws(APIError) -> CounterServiceRecord {
        if let record = registry.record(serviceId), record.isWaiting { try admitWrite(at: record.windowCode, "cancel") }
        switch registry.cancel(serviceId) {
        case .notFound: throw .notFound("no service \(serviceId)")
        case .notWaiting(let record):
            throw APIError(409, "not-waiting", "service \(serviceId) has already ended (\(record.state.name))")
        case .cancelled(let record):
            await backend.closeService(windowCode: record.windowCode, projectNo: record.ticket.projectNo, because: .cancelled)
            publishEnd(record)
            return record
        }
    }

    // MARK: Windows

    public func windows() async -> [(WindowSnapshot, CounterServiceRecord?)] {
        await backend.windows().map { ($0, registry.waiting(at: $0.windowCode)) }
    }

    public func logIn(windowCode: String, staff: StaffMember) async throws(APIError) {
        guard await knowsWindow(windowCode) else { throw .unknownWindow(windowCode) }
        try admitWrite(at: windowCode, "staff login")
        guard await backend.logIn(windowCode: windowCode, staff: staff) else { throw .unknownWindow(windowCode) }
    }

    public func logOut(windowCode: String) async throws(APIError) {
        guard await knowsWindow(windowCode) else { throw .unknownWindow(windowCode) }
        try admitWrite(at: windowCode, "staff logout")
        guard await backend.logOut(windowCode: windowCode) else { throw .unknownWindow(windowCode) }
    }

    /// The window the service is (or was) at, for a per-window token's check.
    public func windowCode(ofService serviceId: String) -> String? { registry.record(serviceId)?.windowCode }

    /// The per-window rate limit of the mutating routes other than opens.
    private func admitWrite(at windowCode: String, _ what: String) throws(APIError) {
        guard let retry = writeLimiter.admit(windowCode, at: clock.now) else { return }
        let seconds = RateLimiter<String, C.Instant>.retryAfterSeconds(retry)
        logger.warning("counter API: \(what) refused, too many writes at window \(windowCode)")
        throw APIError(429, "rate-limited", "too many changes at window \(windowCode); retry in \(seconds) s", retryAfter: seconds)
    }

    public func knowsWindow(_ windowCode: String) async -> Bool {
        await backend.windows().contains { $0.windowCode == windowCode }
    }

    // MARK: From the sessions

    public func evaluationStored(_ evaluation: Evaluation) {
        guard var record = registry.rated(windowCode: evaluation.windowCode, projectNo: evaluation.projectNo,
                                          evaluationId: evaluation.evaluationId.description,
                                          satisfaction: evaluation.satisfaction.rawValue) else { return }
        if let until = evaluation.heldUntil {
            record = registry.update(record.serviceId) { $0.detailUntil = until } ?? record
        }
        publishEnd(record)
    }

    // MARK: Follow-up ratings

    /// `POST /v1/follow-ups`: a 追评 of a case already rated, within
    /// `followUpDays` of its first rating; stored as `assessNumber` 2, never
    /// as a second first evaluation.
    public func followUp(_ request: FollowUpRating) async throws(APIError) -> String {
        guard detailSettings.followUpDays > 0 else {
            throw APIError(409, "follow-ups-off", "this agent takes no follow-up ratings ([api] follow_up_days is 0)")
        }
        guard await knowsWindow(request.windowCode) else { throw .unknownWindow(request.windowCode) }
        try admitWrite(at: request.windowCode, "follow-up")
        if let codes = request.evalDetail {
            do { _ = try detailSettings.catalog.check(codes, for: request.satisfaction) } catch { throw .invalid(error.description) }
        }
        var request = request
        request.withinDays = detailSettings.followUpDays
        switch await backend.followUp(request) {
        case .stored(let evaluationId):
            logger.info("counter API: follow-up rating \(evaluationId) of case \(request.projectNo) at window \(request.windowCode): \(request.satisfaction.chineseName)")
            return evaluationId
        case .unknownWindow: throw .unknownWindow(request.windowCode)
        case .notRated:
            throw APIError(409, "not-rated", "case \(request.projectNo) has no rating to follow up")
        case .alreadyFollowedUp(let evaluationId):
            throw APIError(409, "already-followed-up", "case \(request.projectNo) has its follow-up rating already",
                           details: ["evaluationId": evaluationId])
        case .tooLate(let first):
            throw APIError(409, "follow-up-too-late",
                           "case \(request.projectNo) was rated on \(ShanghaiTime.format(first)); follow-ups are taken for \(detailSettings.followUpDays) day(s)")
        case .unavailable:
            throw APIError(503, "store-unavailable", "the agent cannot store the follow-up now; try again")
        }
    }

    // MARK: Reasons

    /// `POST /v1/services/{id}/detail`: the reasons (checked against the
    /// pressed level) and the citizen's words for a rated service whose
    /// evaluation is still held; it is released at once with them.
    public func detail(_ serviceId: String, _ request: APIRequests.Detail) async throws(APIError) -> CounterServiceRecord {
        guard let record = registry.record(serviceId) else { throw .notFound("no service \(serviceId) (unknown, or ended long ago)") }
        guard case .rated(let evaluationId, let satisfaction) = record.state else {
            throw APIError(409, "not-rated", "service \(serviceId) is \(record.state.name): reasons follow a rating")
        }
        guard record.detailUntil != nil, !record.detailReceived else {
            throw APIError(409, "detail-not-awaited", record.detailReceived ? "the reasons of service \(serviceId) were sent already"
                                                                             : "no detail is awaited for service \(serviceId)")
        }
        try admitWrite(at: record.windowCode, "detail")
        if let codes = request.evalDetail, let level = Rating(rawValue: satisfaction) {
            do { _ = try detailSettings.catalog.check(codes, for: level) } catch { throw .invalid(error.description) }
        }
        switch await backend.attachDetail(evaluationId: evaluationId, evalDetail: request.evalDetail,
                                          writingEvaluation: request.writingEvaluation) {
        case .attached:
            logger.info("counter API: service \(serviceId): reasons \(request.evalDetail.map(ReasonCatalog.format) ?? "-")\(request.writingEvaluation == nil ? "" : " and the citizen's words") sent with evaluation \(evaluationId)")
            return registry.update(serviceId) { $0.detailReceived = true } ?? record
        case .windowClosed:
            throw APIError(409, "detail-window-closed", "the evaluation of service \(serviceId) has gone without reasons: its detail window ended")
        case .unavailable:
            throw APIError(503, "store-unavailable", "the agent cannot store the reasons now; try again")
        }
    }

    public func deviceChanged(deviceId: String, windowCode: String, online: Bool) {
        events.publish(CounterEvent(kind: online ? .deviceOnline : .deviceOffline, windowCode: windowCode, deviceId: deviceId))
    }

    // MARK: Countdowns

    /// Expires services as their countdowns end, until cancelled. Sleeps on
    /// the injected clock until the next deadline, or until a new service
    /// (possibly with an earlier deadline) rings.
    public func runCountdowns() async {
        while !Task.isCancelled && !stopped {
            let deadline = registry.nextDeadline
            let clock = self.clock
            let wake = self.wake
            await withTaskGroup(of: Void.self) { group in
                if let deadline {
                    group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
                }
                group.addTask { for await _ in wake { return } }
                _ = await group.next()
                group.cancelAll()
            }
            await expireDue()
        }
    }

    /// Applies every countdown that has run out (also what `runCountdowns` does).
    public func expireDue() async {
        for record in registry.expire(at: clock.now) {
            await backend.closeService(windowCode: record.windowCode, projectNo: record.ticket.projectNo, because: .countdownEnded)
            logger.info("counter API: service \(record.serviceId) at window \(record.windowCode) expired unrated; case \(record.ticket.projectNo) stays open for its default rating")
            publishEnd(record)
        }
    }

    /// Shutdown: waiting services end as cancelled and every stream closes.
    public func shutDown() {
        stopped = true
        for record in registry.cancelAll(reason: .shutdown) { publishEnd(record) }
        events.finishAll()
        wakeContinuation.finish()
    }

    private func publishEnd(_ record: CounterServiceRecord) {
        if let event = CounterEvent.ended(record) { events.publish(event) }
    }

    /// Undo a replacement when the new opening was refused: the old service
    /// is still the window's current one in the session.
    private func restore(_ replaced: [CounterServiceRecord]) {
        for var old in replaced {
            old.state = .waiting
            _ = registry.open(old, deadline: clock.now.advanced(by: .seconds(old.countdownSeconds)))
        }
    }
}
