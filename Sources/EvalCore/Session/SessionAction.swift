import Foundation

/// What the I/O layer must do after a session input. The session itself never
/// writes anything: it returns these, in order.
public enum SessionAction: Hashable, Sendable {
    /// Enqueue this evaluation with its ledger rows (its case rated, a bad
    /// review's 台账 row) in one transaction (`SessionDriver.submit`).
    case emit(Evaluation)
    /// Record this press in `filtered_presses`; never forward it.
    case filtered(FilteredPress)
    /// Record the case in the ledger with its default-rating due date.
    case openCase(CaseOpening)
    /// Prompt the window's evaluator. `thanks` follows its rating's `.emit`
    /// and is shown only once that evaluation is durable.
    case prompt(WindowPrompt)
    case log(SessionEvent)
    /// The keypad's reason step picked a reason (or none) for an evaluation
    /// held for it: store it and release the evaluation (`attachDetail`).
    case attachReason(ReasonPick)
}

/// Why a press did not become an evaluation (rule 2), spelled as stored.
public enum FilterReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// Within the debounce interval of the previous press: contact bounce.
    case bounce
    /// The case is already rated (in this session, or before, per the ledger).
    case `repeat`
    /// Anonymous counter: sooner than the minimum interval after the last rating.
    case tooFast
    /// The store could not say whether the case was already rated: the press is
    /// kept for audit instead of risking a second rating of one service (fail closed).
    case ledgerUnavailable = "ledger-unavailable"
}

/// A press kept for audit only. No identity: only whether one was pending.
public struct FilteredPress: Hashable, Sendable {
    public var rating: Rating
    public var deviceId: String
    public var windowCode: String
    public var pressedAt: Date
    public var reason: FilterReason
    public var projectNo: String?
    public var hadIdentity: Bool

    public init(rating: Rating, deviceId: String, windowCode: String, pressedAt: Date, reason: FilterReason, projectNo: String? = nil, hadIdentity: Bool = false) {
        self.rating = rating
        self.deviceId = deviceId
        self.windowCode = windowCode
        self.pressedAt = pressedAt
        self.reason = reason
        self.projectNo = projectNo
        self.hadIdentity = hadIdentity
    }
}

/// A case scanned at a window, as the ledger keeps it for the default rating:
/// everything a default evaluation needs, and no evaluator identity (rule 6).
public struct CaseOpening: Hashable, Sendable, Codable {
    public var ticket: CaseTicket
    public var window: WindowConfiguration
    public var staff: [StaffMember]
    public var deviceId: String?
    public var openedAt: Date

    public init(ticket: CaseTicket, window: WindowConfiguration, staff: [StaffMember], deviceId: String? = nil, openedAt: Date) {
        self.ticket = ticket
        self.window = window
        self.staff = staff
        self.deviceId = deviceId
        self.openedAt = openedAt
    }
}

/// A log line for the I/O layer's logger. Never contains personal data.
public struct SessionEvent: Hashable, Sendable, CustomStringConvertible {
    public enum Level: String, Hashable, Sendable { case info, notice, warning }
    public var level: Level
    public var message: String

    public init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }

    public var description: String { "[\(level.rawValue)] \(message)" }
}

/// What the ledger knows about a case when it is scanned: the I/O layer looks
/// it up and passes it in, so "a case rated once cannot be rated again" holds
/// across restarts while the session stays pure.
public enum CaseLedgerState: String, Hashable, Sendable, Codable {
    /// Never seen: open it.
    case unknown
    /// Opened earlier, not rated yet: rate it now.
    case open
    /// Rated by a citizen already: further presses are `repeat`.
    case rated
    /// Default-rated already (5 working days passed): presses are `repeat`.
    case defaulted
    /// The store could not be read: nobody knows whether the case was rated, so
    /// presses for it are filtered as `ledgerUnavailable`, never a second rating.
    case unavailable

    var isSettled: Bool { self == .rated || self == .defaulted }
}
