import EvalCore
import EvalDevices
import EvalQueue
import Foundation
import Logging

/// devices → window sessions → queue: the path of one press.
///
/// An actor, so the sessions (pure state machines) see inputs one at a time
/// in arrival order. Every evaluation is in the queue (durably) before the
/// case is marked rated, so a crash between the two can only leave a case
/// that may still be rated — never a rating that was lost.
actor CounterPipeline {
    typealias Session = CounterSession<ContinuousClock.Instant>

    struct Settings: Sendable {
        var windows: [WindowConfiguration]
        var bindings: [DeviceBinding]
        var rules: ScanRuleSet
        var policy: SessionPolicy
        var defaultRatings: Bool
    }

    private let queue: EvaluationQueue
    private let ledger: CaseLedger
    private let scheduler: DefaultRatingScheduler
    private let badReviewPolicy: BadReviewPolicy
    private let alerts: BadReviewAlerts
    private let metrics: AgentMetrics
    private let heartbeats: Heartbeats
    private let board: StatusBoard
    private let logger: Logger
    private let clock = ContinuousClock()

    private var settings: Settings
    private var matcher: BindingMatcher
    private var sessions: [String: Session] = [:]
    private var devices: [String: AgentStatus.Device] = [:]
    /// Rings the default-rating loop when a case opens (its due time may be sooner).
    nonisolated let casesChanged = WakeSignal()

    init(settings: Settings, queue: EvaluationQueue, ledger: CaseLedger, scheduler: DefaultRatingScheduler,
         badReviewPolicy: BadReviewPolicy, alerts: BadReviewAlerts, metrics: AgentMetrics, heartbeats: Heartbeats,
         board: StatusBoard, logger: Logger) {
        self.settings = settings
        self.matcher = BindingMatcher(settings.bindings)
        self.queue = queue
        self.ledger = ledger
        self.scheduler = scheduler
        self.badReviewPolicy = badReviewPolicy
        self.alerts = alerts
        self.metrics = metrics
        self.heartbeats = heartbeats
        self.board = board
        self.logger = logger
        for binding in settings.bindings {
            devices[binding.deviceId] = AgentStatus.Device(deviceId: binding.deviceId, name: "", windowCode: binding.windowCode, online: false)
        }
        let initial = Array(devices.values).sorted { $0.deviceId < $1.deviceId }
        board.update { $0.devices = initial }
    }

    /// SIGHUP: new bindings, windows, rules. Sessions of windows that still
    /// exist keep their state (a logged-in staff member stays logged in).
    func reload(_ fresh: Settings) {
        let kept = Set(fresh.windows.map(Self.key))
        sessions = sessions.filter { kept.contains($0.key) && fresh.windows.contains($0.value.window) }
        settings = fresh
        matcher = BindingMatcher(fresh.bindings)
        var updated: [String: AgentStatus.Device] = [:]
        for binding in fresh.bindings {
            var device = devices[binding.deviceId] ?? AgentStatus.Device(deviceId: binding.deviceId, name: "", windowCode: nil, online: false)
            device.windowCode = binding.windowCode
            updated[binding.deviceId] = device
        }
        for (id, device) in devices where updated[id] == nil && device.online {
            var unbound = device
            unbound.windowCode = nil
            updated[id] = unbound
        }
        devices = updated
        publishDevices()
    }

    // MARK: Device events

    func handle(_ event: DeviceEvent) async {
        heartbeats.busy(.devices)
        defer { heartbeats.idle(.devices) }
        trackPresence(event)
        switch matcher.route(event) {
        case .unbound(let report):
            if let report { log(problem: report) }
        case .window(let binding, let routed):
            switch routed {
            case .press(let device, let rating, let at):
                let actions = session(for: binding, at: at) { session, moment in
                    session.press(Press(rating: rating, deviceId: device.deviceId), at: moment)
                }
                await perform(actions, binding: binding)
            case .scan(let device, let text, let at):
                metrics.recordScan()
                switch settings.rules.classify(text) {
                case .ignored(let rejection):
                    logger.notice("scan ignored: \(rejection)", metadata: ["device": "\(device.deviceId)", "window": "\(binding.windowCode)"])
                case .recognized(let scan, let rule):
                    var caseState = CaseLedgerState.unknown
                    if case .caseReceipt(let ticket) = scan {
                        caseState = (try? ledger.state(of: ticket.projectNo)) ?? .unknown
                    }
                    logger.debug("scan recognised by rule \(rule)", metadata: ["device": "\(device.deviceId)"])
                    let actions = session(for: binding, at: at) { session, moment in
                        session.receive(scan, caseState: caseState, at: moment)
                    }
                    await perform(actions, binding: binding)
                }
            case .problem:
                log(problem: routed)
            case .attached(let device):
                logger.notice("device attached: \(device)", metadata: ["window": "\(binding.windowCode)"])
            case .detached(let device):
                logger.warning("device detached: \(device)", metadata: ["window": "\(binding.windowCode)"])
            }
        }
    }

    private static func key(_ window: WindowConfiguration) -> String { "\(window.hallCode ?? "")/\(window.windowCode)" }

    /// Runs `input` on the binding's window session with the current moment.
    private func session(for binding: DeviceBinding, at wall: Date,
                         _ input: (inout Session, Session.Moment) -> [SessionAction]) -> [SessionAction]? {
        guard let window = settings.windows.first(where: {
            $0.windowCode == binding.windowCode && ($0.hallCode == binding.hallCode || binding.hallCode == nil)
        }) else {
            logger.error("device bound to window \(binding.windowCode), which is not configured; input ignored")
            return nil
        }
        let key = Self.key(window)
        var session = sessions[key] ?? Session(window: window, policy: settings.policy)
        let actions = input(&session, SessionMoment(wall: wall, instant: clock.now))
        sessions[key] = session
        return actions
    }

    private func perform(_ actions: [SessionAction]?, binding: DeviceBinding) async {
        for action in actions ?? [] {
            switch action {
            case .emit(let evaluation):
                await accept(evaluation)
            case .filtered(let press):
                metrics.recordFiltered(reason: press.reason.rawValue)
                board.update { $0.filteredToday += 1 }
                logger.info("press filtered (\(press.reason.rawValue)): \(press.rating.chineseName) on \(press.deviceId)",
                            metadata: ["window": "\(press.windowCode)"])
                do { try ledger.recordFiltered(press) } catch {
                    logger.error("cannot record filtered press: \(error)")
                }
            case .openCase(let opening):
                guard settings.defaultRatings else { continue }
                let due = scheduler.due(openedAt: opening.openedAt)
                if !due.uncoveredYears.isEmpty {
                    logger.warning("no working-day calendar for \(due.uncoveredYears.map(String.init).joined(separator: ", ")): counting Monday–Friday; install the State Council calendar file")
                }
                do {
                    try ledger.open(opening, due: due)
                    casesChanged.ring()
                } catch {
                    logger.error("cannot record case \(opening.ticket.projectNo) in the ledger: \(error)")
                }
            case .log(let event):
                switch event.level {
                case .info: logger.info("\(event.message)")
                case .notice: logger.notice("\(event.message)")
                case .warning: logger.warning("\(event.message)")
                }
            }
        }
    }

    /// An evaluation made by the session or the default-rating loop: queued
    /// durably together with its ledger rows (case rated, bad-review line) in
    /// one transaction, then the alert and the counters.
    func accept(_ evaluation: Evaluation) async {
        do {
            let ledgerRows = try CaseLedgerUpdate(evaluation, badReviewPolicy: badReviewPolicy)
            try await queue.enqueue(evaluation, ledger: ledgerRows)
        } catch {
            metrics.recordEnqueueFailure()
            board.recordError("queue refused \(evaluation.evaluationId): \(error)")
            logger.critical("evaluation NOT stored, the queue refused it: \(error)", metadata: ["evaluation": "\(evaluation)"])
            return
        }
        metrics.recordPress(evaluation.satisfaction)
        board.update { $0.evaluationsToday += 1 }
        logger.info("evaluation queued: \(evaluation)")
        if evaluation.isBadReview { alerts.submit(evaluation) }
    }

    // MARK: Default ratings (rule 3)

    /// One pass: re-enqueue defaults a crash left unconfirmed, then settle and
    /// enqueue every due case. Returns when the next default falls due.
    func applyDueDefaults(now: Date) async -> Date? {
        guard settings.defaultRatings else { return nil }
        do {
            for evaluation in try ledger.unconfirmedDefaults() {
                await accept(evaluation)
                try ledger.confirmDefaultEnqueued(evaluation.evaluationId)
            }
            while true {
                let due = try ledger.dueCases(at: now)
                if due.isEmpty { break }
                for dueCase in due {
                    let evaluation = DefaultRatingScheduler.evaluation(for: dueCase.opening, dueAt: dueCase.dueAt,
                                                                       id: EvaluationID.make(at: dueCase.dueAt))
                    guard try ledger.settleDefault(evaluation, at: now) else { continue }
                    logger.notice("case \(dueCase.opening.ticket.projectNo) not rated within 5 working days: default 基本满意")
                    await accept(evaluation)
                    try ledger.confirmDefaultEnqueued(evaluation.evaluationId)
                }
            }
            return try ledger.nextDefaultDue()
        } catch {
            logger.error("default ratings: \(error); retrying in a minute")
            return now.addingTimeInterval(60)
        }
    }

    // MARK: Presence

    private func trackPresence(_ event: DeviceEvent) {
        let identity = event.device
        let id = identity.deviceId
        var device = devices[id] ?? AgentStatus.Device(deviceId: id, name: identity.name,
                                                        windowCode: matcher.binding(for: id)?.windowCode, online: false)
        device.name = identity.name
        switch event {
        case .attached, .press, .scan: device.online = true; device.problem = nil
        case .detached: device.online = false
        case .problem(_, let message, let hint): device.problem = hint.map { "\(message) — \($0)" } ?? message
        }
        if devices[id] != device {
            devices[id] = device
            publishDevices()
        }
    }

    private func publishDevices() {
        let list = devices.values.sorted { $0.deviceId < $1.deviceId }
        metrics.setDevicesOnline(list.filter { $0.online && $0.windowCode != nil }.count)
        board.update { $0.devices = list }
    }

    private func log(problem event: DeviceEvent) {
        if case .problem(let device, let message, let hint) = event {
            logger.warning("\(message)\(hint.map { " (hint: \($0))" } ?? "")", metadata: ["device": "\(device.deviceId)"])
        } else if case .detached(let device) = event {
            logger.notice("unbound device detached: \(device)")
        }
    }
}
