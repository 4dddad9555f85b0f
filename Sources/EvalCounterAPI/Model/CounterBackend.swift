import EvalCore
import Foundation

/// The counter sessions the API feeds: the daemon's `CounterPipeline`, the
/// same sessions QR scans feed (one service, one evaluation; the case ledger;
/// default ratings; bad-review alerts). The API holds no session state itself.
public protocol CounterBackend: Sendable {
    /// Whether `openService` would open it (window configured, case not yet
    /// rated), without touching any session: `.opened` means yes.
    func check(_ opening: ServiceOpening) async -> ServiceOpeningOutcome
    /// Makes the case current at the window, as a case scan would (after the
    /// staff login and before the identity, when given).
    func openService(_ opening: ServiceOpening) async -> ServiceOpeningOutcome
    /// The counter stops waiting for this case (cancelled or expired).
    func closeService(windowCode: String, projectNo: String, because close: ServiceClose) async
    /// False when the window is not configured.
    func logIn(windowCode: String, staff: StaffMember) async -> Bool
    func logOut(windowCode: String) async -> Bool
    func windows() async -> [WindowSnapshot]
    /// Stores the reasons of an evaluation held for them and releases it.
    func attachDetail(evaluationId: String, evalDetail: [Int]?, writingEvaluation: PersonalData?) async -> DetailOutcome
    /// Stores a follow-up rating (追评, `assessNumber` 2) of a case already rated.
    func followUp(_ rating: FollowUpRating) async -> FollowUpResult
}

extension CounterBackend {
    /// A backend without a queue keeps no detail.
    public func attachDetail(evaluationId: String, evalDetail: [Int]?, writingEvaluation: PersonalData?) async -> DetailOutcome {
        .unavailable
    }

    public func followUp(_ rating: FollowUpRating) async -> FollowUpResult { .unavailable }
}

/// `POST /v1/follow-ups`: a 追评 the business page collected for a case
/// already rated, with its reasons (checked against its own level).
public struct FollowUpRating: Sendable, Equatable {
    public var windowCode: String
    public var projectNo: String
    public var satisfaction: Rating
    public var evalDetail: [Int]?
    public var writingEvaluation: PersonalData?
    /// How many days after the first rating a follow-up is taken (`[api] follow_up_days`).
    public var withinDays: Int = 0

    public init(windowCode: String, projectNo: String, satisfaction: Rating, evalDetail: [Int]? = nil,
                writingEvaluation: PersonalData? = nil, withinDays: Int = 0) {
        self.windowCode = windowCode
        self.projectNo = projectNo
        self.satisfaction = satisfaction
        self.evalDetail = evalDetail
        self.writingEvaluation = writingEvaluation
        self.withinDays = withinDays
    }
}

public enum FollowUpResult: Sendable, Equatable {
    case stored(evaluationId: String)
    case unknownWindow
    /// No citizen's rating of the case to follow up.
    case notRated
    case alreadyFollowedUp(evaluationId: String)
    case tooLate(firstRatedAt: Date)
    case unavailable
}

/// What became of a detail sent for a rated service.
public enum DetailOutcome: Sendable, Equatable {
    case attached
    /// The evaluation is no longer held: its window ended, or it was sent.
    case windowClosed
    case unavailable
}

/// What `POST /v1/services` asks of the counter session.
public struct ServiceOpening: Sendable, Equatable {
    public var windowCode: String
    public var ticket: CaseTicket
    public var staff: StaffMember?
    public var citizen: Evaluator?

    public init(windowCode: String, ticket: CaseTicket, staff: StaffMember? = nil, citizen: Evaluator? = nil) {
        self.windowCode = windowCode
        self.ticket = ticket
        self.staff = staff
        self.citizen = citizen
    }
}

public enum ServiceOpeningOutcome: Sendable, Equatable {
    case opened
    case unknownWindow
    /// The ledger says the case was rated (or defaulted) already: one service,
    /// one evaluation. The id of its evaluation, when the queue still holds it.
    case alreadyRated(evaluationId: String?)
    /// The store could not say whether the case was rated: refused, fail closed.
    case ledgerUnavailable
}

public struct WindowSnapshot: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var deviceId: String
        public var online: Bool
        public init(deviceId: String, online: Bool) {
            self.deviceId = deviceId
            self.online = online
        }
    }

    public var windowCode: String
    public var hallCode: String?
    public var staff: StaffMember?
    public var devices: [Device]

    public init(windowCode: String, hallCode: String?, staff: StaffMember?, devices: [Device]) {
        self.windowCode = windowCode
        self.hallCode = hallCode
        self.staff = staff
        self.devices = devices
    }
}

/// What the sessions tell the API: an evaluation was durably stored, a
/// device came or went. `CounterAPI` implements it; the pipeline calls it.
public protocol CounterSessionListener: Sendable {
    func evaluationStored(_ evaluation: Evaluation) async
    func deviceChanged(deviceId: String, windowCode: String, online: Bool) async
}
