import EvalConcurrency
import EvalCore
import EvalCounterAPI
import EvalDevices
import EvalOperator
import EvalQueue
import EvalSession
import EvalUplink
import Foundation
import Logging

/// devices → window sessions → queue: the path of one press.
///
/// An actor, so the sessions (pure state machines) see inputs one at a time
/// in arrival order. An evaluation, its case's rated mark and its bad-review
/// row commit in one transaction (`SessionDriver`), so a crash leaves all of
/// them or none.
actor CounterPipeline {
    /// Sessions measure debounce and intervals on the devices' own boottime stamps.
    typealias Session = CounterSession<BootInstant>

    struct Settings: Sendable {
        var windows: [WindowConfiguration]
        var bindings: [DeviceBinding]
        var rules: ScanRuleSet
        var policy: SessionPolicy
        var defaultRatings: Bool
        /// Bound devices whose profile is a scanner: not the window's evaluator.
        var scanners: Set<String> = []
    }

    let driver: SessionDriver
    /// Told of new bindings on reload (the driver's observer sends through it).
    private let prompter: CounterPrompter?
    private let metrics: AgentMetrics
    private let heartbeats: Heartbeats
    private let board: StatusBoard
    private let logger: Logger
    /// Dates each input: its wall reading while the clock is trusted, else
    /// reconstructed, else marked for the forwarder to re-date.
    nonisolated let clockWatch: ClockWatch

    private(set) var settings: Settings
    private var matcher: BindingMatcher
    private(set) var sessions: [String: Session] = [:]
    private(set) var devices: [String: AgentStatus.Device] = [:]
    /// The counter API, when served: told of stored evaluations and devices.
    private var listener: (any CounterSessionListener)?
    /// Rings the default-rating loop when a case opens (its due time may be sooner).
    nonisolated let casesChanged: Doorbell<ContinuousClock>
    /// Durable evaluations on their way to the listener (written on the
    /// store's writer thread, read by one task: order kept).
    private nonisolated let announcements: AsyncStream<[Evaluation]>.Continuation
    private let storedEvaluations: AsyncStream<[Evaluation]>

    init(settings: Settings, queue: EvaluationQueue, scheduler: DefaultRatingScheduler,
         badReviewPolicy: BadReviewPolicy, alerts: BadReviewAlerts, metrics: AgentMetrics, heartbeats: Heartbeats,
         board: StatusBoard, clockWatch: ClockWatch, prompter: CounterPrompter? = nil, logger: Logger) {
        self.settings = settings
        self.clockWatch = clockWatch
        self.matcher = BindingMatcher(settings.bindings)
        let casesChanged = Doorbell(clock: ContinuousClock())
        self.casesChanged = casesChanged
        (storedEvaluations, announcements) = AsyncStream.makeStream(of: [Evaluation].self)
        self.driver = SessionDriver(
            store: queue, scheduler: scheduler, badReviewPolicy: badReviewPolicy,
            observer: PipelineObserver(alerts: alerts, metrics: metrics, board: board, logger: logger, casesChanged: casesChanged,
                                       prompter: prompter))
        self.prompter = prompter
        self.metrics = metrics
        self.heartbeats = heartbeats
        self.board = board
        self.logger = logger
        let started = Date()
        for binding in settings.bindings {
            devices[binding.deviceId] = AgentStatus.Device(deviceId: binding.deviceId, name: "", windowCode: binding.windowCode, online: false)
            devices[binding.deviceId]?.offlineSince = started
        }
        let initial = Array(devices.values).sorted { $0.deviceId < $1.deviceId }
        metrics.setDevices(bound: initial.count, online: 0)
        board.update { $0.devices = initial }
    }

    /// SIGHUP: new bindings, windows, rules. Sessions of windows that still
    /// exist keep their state (a logged-in staff member stays logged in).
    func reload(_ fresh: Settings) {
        let kept = Set(fresh.windows.map(Self.key))
        sessions = sessions.filter { kept.contains($0.key) && fresh.windows.contains($0.value.window) }
        settings = fresh
        matcher = BindingMatcher(fresh.bindings)
        prompter?.update(fresh.bindings)
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

    func attach(_ listener: any CounterSessionListener) {
        precondition(self.listener == nil, "one counter-session listener per pipeline")
        self.listener = listener
        let stored = storedEvaluations
        Task { await Self.announce(stored, to: listener) }
    }

    // MARK: Device events

    func handle(_ event: DeviceEvent) async {
        heartbeats.busy(.devices)
        defer { heartbeats.idle(.devices) }
        if let change = trackPresence(event), let listener {
            await listener.deviceChanged(deviceId: change.deviceId, windowCode: change.windowCode, online: change.online)
        }
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
                    metrics.recordScanIgnored(reason: rejection.label)
                    logger.notice("scan ignored: \(rejection)", metadata: ["device": "\(device.deviceId)", "window": "\(binding.windowCode)"])
                case .recognized(let scan, let rule):
                    let caseState = await driver.caseState(for: scan)
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
                if let window = settings.windows.first(where: { binding.serves(windowCode: $0.windowCode, hallCode: $0.hallCode) }),
                   let ticket = sessions[Self.key(window)]?.currentCase {
                    await noteIfEvaluatorOffline(window: window.windowCode, projectNo: ticket.projectNo)
                }
            }
        }
    }

    static func key(_ window: WindowConfiguration) -> String { "\(window.hallCode ?? "")/\(window.windowCode)" }

    /// Runs `input` on the binding's window session at the input's moment.
    private func session(for binding: DeviceBinding, at stamp: InputStamp,
                         _ input: (inout Session, Session.Moment) -> [SessionAction]) -> [SessionAction]? {
        guard let window = settings.windows.first(where: { binding.serves(windowCode: $0.windowCode, hallCode: $0.hallCode) }) else {
            logger.error("device bound to window \(binding.windowCode), which is not configured; input ignored")
            return nil
        }
        return session(of: window, at: stamp, input)
    }

    /// Runs `input` on `window`'s session (created on first use) at `stamp`,
    /// dated by the clock's judgement.
    func session(of window: WindowConfiguration, at stamp: InputStamp,
                 _ input: (inout Session, Session.Moment) -> [SessionAction]) -> [SessionAction] {
        let key = Self.key(window)
        var session = sessions[key] ?? Session(window: window, policy: settings.policy)
        // The keypad reason step needs a device of the window that can prompt it.
        if window.reasonStep != nil {
            session.canPromptReason = prompter?.targets(of: WindowPrompt(.reason, windowCode: window.windowCode, hallCode: window.hallCode))
                .isEmpty == false
        }
        let dated = clockWatch.date(stamp)
        let actions = input(&session, SessionMoment(wall: dated.wall, instant: stamp.boot, recorded: dated.recorded))
        sessions[key] = session
        return actions
    }

    private func perform(_ actions: [SessionAction]?, binding: DeviceBinding) async {
        guard let actions else { return }
        await perform(actions)
    }

    /// The driver performs the actions without waiting for the disk: the
    /// next input is taken while this one's commit is under way (inputs
    /// arriving meanwhile share the next commit). The API hears of each
    /// evaluation once it is durable, in commit order.
    func perform(_ actions: [SessionAction]) async {
        let announce = listener == nil ? nil : announcements
        driver.submit(actions, defaultRatings: settings.defaultRatings) { stored in
            if let announce, !stored.isEmpty { announce.yield(stored) }
        }
        for case .openCase(let opening) in actions {
            await noteIfEvaluatorOffline(window: opening.window.windowCode, projectNo: opening.ticket.projectNo)
        }
    }

    /// A case open at a window whose evaluators are all offline (unplugged,
    /// never answering a poll) is marked so in the store, so that its default
    /// rating reads "nobody could rate", not "nobody rated" (issue 25).
    private func noteIfEvaluatorOffline(window windowCode: String, projectNo: String) async {
        let evaluators = settings.bindings.filter { $0.windowCode == windowCode && !settings.scanners.contains($0.deviceId) }
        guard !evaluators.isEmpty, evaluators.allSatisfy({ devices[$0.deviceId]?.online != true }) else { return }
        do {
            if try await driver.store.noteEvaluatorOffline(projectNo: projectNo, at: Date()) {
                logger.warning("case \(projectNo) is open while the window's evaluator is offline: nobody can rate it",
                               metadata: ["window": "\(windowCode)"])
            }
        } catch {
            logger.error("cannot record that the evaluator is offline for case \(projectNo): \(error)")
        }
    }

    /// Tells `listener` of durable evaluations, in the order they committed.
    private static func announce(_ stored: AsyncStream<[Evaluation]>, to listener: any CounterSessionListener) async {
        for await batch in stored {
            for evaluation in batch { await listener.evaluationStored(evaluation) }
        }
    }

    // MARK: Default ratings (rule 3)

    /// One pass of the store's default pass. Returns when the next one is due
    /// (within a minute when a default was refused: the case stays due).
    func applyDueDefaults(now: Date) async -> Date? {
        guard settings.defaultRatings else { return nil }
        return await driver.applyDueDefaults(now: now)
    }

    // MARK: Presence

    /// Updates the device's presence; returns a change of `online` of a bound device.
    private func trackPresence(_ event: DeviceEvent) -> (deviceId: String, windowCode: String, online: Bool)? {
        let identity = event.device
        let id = identity.deviceId
        var device = devices[id] ?? AgentStatus.Device(deviceId: id, name: identity.name,
                                                        windowCode: matcher.binding(for: id)?.windowCode, online: false)
        let wasOnline = devices[id]?.online ?? false
        device.name = identity.name
        switch event {
        case .attached, .press, .scan: device.online = true; device.problem = nil
        case .detached: device.online = false
        case .problem(_, let message, let hint): device.problem = hint.map { "\(message) — \($0)" } ?? message
        }
        device.trackOffline(wasOnline: wasOnline, at: Date())
        if devices[id] != device {
            devices[id] = device
            publishDevices()
        }
        guard device.online != wasOnline, let windowCode = device.windowCode else { return nil }
        return (id, windowCode, device.online)
    }

    private func publishDevices() {
        let list = devices.values.sorted { $0.deviceId < $1.deviceId }
        metrics.setDevices(bound: list.filter { $0.windowCode != nil }.count, online: list.filter { $0.online && $0.windowCode != nil }.count)
        metrics.setDeviceOffline(list.filter { $0.windowCode != nil })
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
