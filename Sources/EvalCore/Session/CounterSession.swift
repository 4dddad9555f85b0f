import Foundation

/// The counter session of one window, as a pure state machine: each input
/// (scan, press, tick) with its moment returns the actions the I/O layer
/// performs. It reads no clock and writes nothing.
///
/// One service, one evaluation (rule 2): the first accepted press for a
/// service wins; later presses for it are kept as `filtered` (`repeat`), never
/// emitted. See docs/sessions.md for the full rules.
public struct CounterSession<Instant: InstantProtocol> where Instant.Duration == Duration {
    public typealias Moment = SessionMoment<Instant>

    public let window: WindowConfiguration
    public let policy: SessionPolicy
    private let makeID: @Sendable (Date) -> EvaluationID

    private var login: StaffLogin?
    private var service: Service?
    private var identity: PendingIdentity?
    /// The last press that was not bounce: debounce measures from it.
    private var lastPress: Instant?
    /// The last press that became an evaluation: `tooFast` measures from it.
    private var lastEmission: Instant?
    private var lastDeviceId: String?
    /// A bad review waiting for its keypad reason (`ReasonStep`).
    private var awaitingReason: AwaitingReason?

    /// Whether a device of this window can show the `reason` prompt: the I/O
    /// side knows the profiles. Without it the reason step is skipped (the
    /// citizen would not know the next press picks a reason).
    public var canPromptReason = true

    private struct AwaitingReason {
        var evaluationId: EvaluationID
        var level: Rating
        var deadline: Instant
    }

    private struct StaffLogin {
        var member: StaffMember
        var expiresAt: Date
    }

    private struct Service {
        var ticket: CaseTicket
        var expiresAt: Date
        /// Rated before this scan (ledger) or in this session.
        var isRated: Bool
        /// When rated in this session: the case detaches `ratedCaseHold` later.
        var ratedAt: Instant?
        /// The store could not be read when the case was scanned (fail closed).
        var ledgerUnavailable = false
    }

    /// A citizen's identity (rule 6) belongs to one service: the case that was
    /// current and unrated when it arrived, or the next case opened within
    /// `identityBindWindow`. It never outlives that service.
    private struct PendingIdentity {
        var evaluator: Evaluator
        var scannedAt: Instant
        /// Only while unbound: the end of the working day it arrived in.
        var expiresAt: Date
        /// The case it belongs to; nil while it waits for one (or for the
        /// next press at a counter without a case).
        var projectNo: String?
    }

    public init(window: WindowConfiguration, policy: SessionPolicy = SessionPolicy(), makeID: @escaping @Sendable (Date) -> EvaluationID = { EvaluationID.make(at: $0) }) {
        self.window = window
        self.policy = policy
        self.makeID = makeID
    }

    // MARK: - Observers (for status displays and tests)

    public var loggedInStaff: StaffMember? { login?.member }
    public var currentCase: CaseTicket? { service?.ticket }
    public var hasPendingIdentity: Bool { identity != nil }
    public var isAwaitingReason: Bool { awaitingReason != nil }

    // MARK: - Inputs

    /// A classified scan. `caseState` is the ledger's knowledge of a scanned
    /// case (ignored for other scans).
    public mutating func receive(_ scan: Scan, caseState: CaseLedgerState = .unknown, at moment: Moment) -> [SessionAction] {
        var actions = Self.actions()
        expire(at: moment, into: &actions)
        switch scan {
        case .staffLogin(let member):
            actions.append(logIn(member, at: moment))
        case .staffLogout(let loginName):
            logOut(loginName, at: moment, into: &actions)
        case .caseReceipt(let ticket):
            open(ticket, caseState: caseState, at: moment, into: &actions)
        case .citizenIdentity(let evaluator):
            take(evaluator, at: moment, into: &actions)
        }
        return actions
    }

    /// A button press: an evaluation, or a filtered press with its reason.
    public mutating func press(_ press: Press, at moment: Moment) -> [SessionAction] {
        var actions = Self.actions()
        expire(at: moment, into: &actions)
        lastDeviceId = press.deviceId
        if let lastPress, lastPress.duration(to: moment.instant) < policy.debounce {
            actions.append(.filtered(filtered(press, .bounce, at: moment)))
            return actions
        }
        lastPress = moment.instant

        // The press after a bad review, within the reason step: a reason, never a rating.
        if let waiting = awaitingReason {
            awaitingReason = nil
            let code = window.reasonStep?.code(button: press.rating, level: waiting.level)
            actions.append(.attachReason(ReasonPick(evaluationId: waiting.evaluationId, codes: code.map { [$0] } ?? [],
                                                    windowCode: window.windowCode)))
            actions.append(.log(SessionEvent(.info, code.map { "window \(window.windowCode): reason \($0) picked on the keypad for \(waiting.evaluationId)" }
                                             ?? "window \(window.windowCode): button \(press.rating.rawValue) has no reason; \(waiting.evaluationId) goes without one")))
            actions.append(prompt(.thanks))
            return actions
        }

        if var current = service {
            if current.isRated {
                actions.append(.filtered(filtered(press, .repeat, at: moment)))
                return actions
            }
            if current.ledgerUnavailable {
                actions.append(.filtered(filtered(press, .ledgerUnavailable, at: moment)))
                return actions
            }
            current.isRated = true
            current.ratedAt = moment.instant
            service = current
            let evaluator = identity.flatMap { $0.projectNo == current.ticket.projectNo ? $0.evaluator : nil }
            var rated = evaluation(for: press, ticket: current.ticket, evaluator: evaluator, at: moment)
            let asked = askReason(for: &rated, at: moment)
            actions.append(.emit(rated))
            actions.append(prompt(asked ? .reason : .thanks))
        } else {
            if let lastEmission, lastEmission.duration(to: moment.instant) < policy.anonymousMinimumInterval {
                actions.append(.filtered(filtered(press, .tooFast, at: moment)))
                return actions
            }
            // At a counter without a case, an identity still waiting for its
            // case is this press's (it arrived within the bind window).
            let evaluator = identity.flatMap { $0.projectNo == nil ? $0.evaluator : nil }
            var rated = evaluation(for: press, ticket: nil, evaluator: evaluator, at: moment)
            let asked = askReason(for: &rated, at: moment)
            actions.append(.emit(rated))
            actions.append(prompt(asked ? .reason : .thanks))
        }
        lastEmission = moment.instant
        if identity != nil { dropIdentity("used by this rating", into: &actions) }
        return actions
    }

    /// The window's business system closes the evaluator for `projectNo`
    /// (cancelled, or its countdown ran out): the counter stops waiting for
    /// that case, so a later press is not taken as its rating, and the
    /// case's identity is dropped with it (it belonged to that citizen). The case
    /// stays open in the ledger for its default rating. Another current case
    /// is left alone.
    public mutating func closeService(projectNo: String, because close: ServiceClose, at moment: Moment) -> [SessionAction] {
        var actions = Self.actions()
        expire(at: moment, into: &actions)
        guard let current = service, current.ticket.projectNo == projectNo else { return actions }
        if close == .countdownEnded, !current.isRated { actions.append(prompt(.timeout)) }
        endService(reason: close.description, into: &actions)
        return actions
    }

    /// Time passing with no input: applies the end of the working day and the
    /// holds, so a status display is accurate. Inputs do this themselves.
    public mutating func tick(at moment: Moment) -> [SessionAction] {
        var actions: [SessionAction] = []
        expire(at: moment, into: &actions)
        return actions
    }

    // MARK: - Transitions

    // The transitions append to the input's one array instead of returning
    // arrays to concatenate: an action holds a whole `Evaluation` inline, and
    // growing and joining small arrays of them was a tenth of a case scan's
    // CPU in the session (`evald-bench daemon-path`, perf).

    /// An input's action list, with room for what one input gives at most
    /// (an expiry or two, a service ended, the case opened, its log, a prompt).
    private static func actions() -> [SessionAction] {
        var actions: [SessionAction] = []
        actions.reserveCapacity(4)
        return actions
    }

    private mutating func logIn(_ member: StaffMember, at moment: Moment) -> SessionAction {
        let expiresAt = policy.endOfWorkingDay(after: moment.wall)
        defer { login = StaffLogin(member: member, expiresAt: expiresAt) }
        if let current = login?.member {
            if current.loginName == member.loginName {
                return .log(SessionEvent(.info, "window \(window.windowCode): staff \(member.loginName) scanned again, still logged in"))
            }
            return .log(SessionEvent(.notice, "window \(window.windowCode): staff \(member.loginName) logs in, replacing \(current.loginName)"))
        }
        return .log(SessionEvent(.info, "window \(window.windowCode): staff \(member.loginName) logs in"))
    }

    private mutating func logOut(_ loginName: String?, at moment: Moment, into actions: inout [SessionAction]) {
        guard let current = login?.member else {
            actions.append(.log(SessionEvent(.notice, "window \(window.windowCode): logout scanned but nobody is logged in")))
            return
        }
        if let loginName, loginName != current.loginName {
            actions.append(.log(SessionEvent(.warning, "window \(window.windowCode): logout for \(loginName) ignored, \(current.loginName) is logged in")))
            return
        }
        login = nil
        actions.append(.log(SessionEvent(.info, "window \(window.windowCode): staff \(current.loginName) logs out")))
        abandonReason("staff logged out", into: &actions)
        endService(reason: "staff logged out", into: &actions)
        if identity != nil { dropIdentity("staff logged out", into: &actions) }
    }

    /// A citizen identity: bound to the current case if it is still to be
    /// rated, else waiting `identityBindWindow` for the next case (or press).
    private mutating func take(_ evaluator: Evaluator, at moment: Moment, into actions: inout [SessionAction]) {
        if identity != nil { dropIdentity("a second identity replaces it", level: .notice, into: &actions) }
        var pending = PendingIdentity(evaluator: evaluator, scannedAt: moment.instant,
                                      expiresAt: policy.endOfWorkingDay(after: moment.wall))
        if let current = service, !current.isRated, !current.ledgerUnavailable {
            pending.projectNo = current.ticket.projectNo
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): identity scanned for case \(current.ticket.projectNo); its rating is real-name")))
        } else {
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): identity scanned; it belongs to the next case opened (or the next rating) within \(Int(policy.identityBindWindow.seconds)) s")))
        }
        identity = pending
    }

    /// Forgets the identity, saying why (it never appears in the line).
    private mutating func dropIdentity(_ why: String, level: SessionEvent.Level = .info, into actions: inout [SessionAction]) {
        guard let pending = identity else { return }
        identity = nil
        let owner = pending.projectNo.map { "of case \($0) " } ?? ""
        actions.append(.log(SessionEvent(level, "window \(window.windowCode): identity \(owner)dropped: \(why)")))
    }

    private mutating func open(_ ticket: CaseTicket, caseState: CaseLedgerState, at moment: Moment, into actions: inout [SessionAction]) {
        let expiresAt = policy.endOfWorkingDay(after: moment.wall)
        if var current = service, current.ticket.projectNo == ticket.projectNo {
            current.isRated = current.isRated || caseState.isSettled
            current.ledgerUnavailable = caseState == .unavailable
            current.expiresAt = expiresAt
            service = current
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): case \(ticket.projectNo) scanned again, already current")))
            return
        }
        endService(reason: "case \(ticket.projectNo) scanned", into: &actions)
        abandonReason("case \(ticket.projectNo) scanned", into: &actions)
        service = Service(ticket: ticket, expiresAt: expiresAt, isRated: caseState.isSettled, ratedAt: nil,
                          ledgerUnavailable: caseState == .unavailable)
        // An identity waiting for its case takes this one (it arrived within
        // the bind window: `expire` has dropped it otherwise), if it is rateable.
        if var pending = identity, pending.projectNo == nil, caseState == .unknown || caseState == .open {
            pending.projectNo = ticket.projectNo
            identity = pending
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): the identity scanned before belongs to case \(ticket.projectNo)")))
        }
        switch caseState {
        case .unknown:
            let opening = CaseOpening(ticket: ticket, window: window, staff: staff, deviceId: lastDeviceId, openedAt: moment.wall)
            actions.append(.openCase(opening))
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): case \(ticket.projectNo) opened")))
            actions.append(prompt(.invite))
        case .open:
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): case \(ticket.projectNo) resumed, still unrated")))
            actions.append(prompt(.invite))
        case .rated, .defaulted:
            actions.append(.log(SessionEvent(.warning, "window \(window.windowCode): case \(ticket.projectNo) was already \(caseState.rawValue); presses for it will be filtered")))
        case .unavailable:
            // Opening is idempotent in the store (an existing case keeps its first
            // opening), so the default rating still applies if nobody rates it.
            let opening = CaseOpening(ticket: ticket, window: window, staff: staff, deviceId: lastDeviceId, openedAt: moment.wall)
            actions.append(.openCase(opening))
            actions.append(.log(SessionEvent(.warning, "window \(window.windowCode): case \(ticket.projectNo): the store cannot tell whether it was rated; presses for it are kept as filtered (ledger-unavailable)")))
        }
    }

    /// `reason` is built only when a service ends unrated (every scan asks).
    /// An identity bound to the service goes with it, whatever ended it.
    private mutating func endService(reason: @autoclosure () -> String, into actions: inout [SessionAction]) {
        guard let current = service else { return }
        service = nil
        if let pending = identity, pending.projectNo == current.ticket.projectNo {
            dropIdentity("its case \(current.isRated ? "was rated" : "ended (\(reason()))")", into: &actions)
        }
        if current.isRated { return }
        actions.append(.log(SessionEvent(.info, "window \(window.windowCode): case \(current.ticket.projectNo) left unrated (\(reason())); the default rating applies if no rating comes")))
    }

    /// Applies every expiry due at `moment`.
    private mutating func expire(at moment: Moment, into actions: inout [SessionAction]) {
        if let deadline = awaitingReason?.deadline, deadline <= moment.instant {
            abandonReason("the reason step timed out", into: &actions)
        }
        if let current = login, current.expiresAt <= moment.wall {
            login = nil
            actions.append(.log(SessionEvent(.info, "window \(window.windowCode): staff \(current.member.loginName) logged out at the end of the working day")))
        }
        if let current = service {
            if current.expiresAt <= moment.wall {
                endService(reason: "end of the working day", into: &actions)
            } else if let ratedAt = current.ratedAt, ratedAt.duration(to: moment.instant) >= policy.ratedCaseHold {
                service = nil
            }
        }
        if let pending = identity, pending.projectNo == nil,
           pending.expiresAt <= moment.wall || pending.scannedAt.duration(to: moment.instant) >= policy.identityBindWindow {
            dropIdentity("no case or rating followed within \(Int(policy.identityBindWindow.seconds)) s", level: .notice, into: &actions)
        }
    }

    /// Starts the reason step for a bad review when the window has one with
    /// codes for its level and a device can prompt: the evaluation is held
    /// for the step (stored now, sent when a reason is picked or the step ends).
    private mutating func askReason(for evaluation: inout Evaluation, at moment: Moment) -> Bool {
        guard let step = window.reasonStep, canPromptReason, !step.codes(for: evaluation.satisfaction).isEmpty else { return false }
        let until = moment.wall.addingTimeInterval(Double(step.timeoutSeconds))
        evaluation.heldUntil = max(evaluation.heldUntil ?? until, until)
        awaitingReason = AwaitingReason(evaluationId: evaluation.evaluationId, level: evaluation.satisfaction,
                                        deadline: moment.instant.advanced(by: .seconds(step.timeoutSeconds)))
        return true
    }

    /// Ends a reason step still waiting (a new case, a logout): the next press
    /// is a rating again; the evaluation goes when its hold ends.
    private mutating func abandonReason(_ why: String, into actions: inout [SessionAction]) {
        guard let waiting = awaitingReason else { return }
        awaitingReason = nil
        actions.append(.log(SessionEvent(.info, "window \(window.windowCode): no reason picked for \(waiting.evaluationId) (\(why)); it goes without one")))
    }

    // MARK: - Building records

    private func prompt(_ kind: CounterPrompt) -> SessionAction {
        .prompt(WindowPrompt(kind, windowCode: window.windowCode, hallCode: window.hallCode))
    }

    private var staff: [StaffMember] {
        if let member = login?.member { return [member] }
        return window.defaultStaff.map { [$0] } ?? []
    }

    private func evaluation(for press: Press, ticket: CaseTicket?, evaluator: Evaluator?, at moment: Moment) -> Evaluation {
        Evaluation(
            evaluationId: makeID(moment.wall),
            satisfaction: press.rating,
            evaluationType: .active,
            assessedAt: moment.wall,
            pf: window.pf,
            areaCode: window.areaCode,
            deptCode: window.deptCode,
            deptName: window.deptName,
            hallCode: window.hallCode,
            windowCode: window.windowCode,
            deviceId: press.deviceId,
            projectNo: ticket?.projectNo,
            taskCode: window.task(of: ticket).code,
            taskName: window.task(of: ticket).name,
            evaluatedPersons: staff,
            evaluator: evaluator,
            recordedTime: moment.recorded,
            national: window.national(of: ticket),
            heldUntil: ticket?.detailWindowSeconds.map { moment.wall.addingTimeInterval(Double($0)) }
        )
    }

    private func filtered(_ press: Press, _ reason: FilterReason, at moment: Moment) -> FilteredPress {
        FilteredPress(rating: press.rating, deviceId: press.deviceId, windowCode: window.windowCode, pressedAt: moment.wall,
                      reason: reason, projectNo: service?.ticket.projectNo, hadIdentity: identity != nil)
    }
}
