import EvalCore
import Foundation

/// One rating invitation opened by a window's business system: the case, the
/// countdown, and how it ended. Holds no evaluator identity (rule 6): the
/// identity goes to the counter session and is never kept here.
public struct CounterServiceRecord: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case waiting
        case rated(evaluationId: String, satisfaction: Int)
        /// The countdown ran out before a press.
        case expired
        /// `DELETE`, or replaced by the next service opened at the window.
        case cancelled(reason: CancelReason)

        public var name: String {
            switch self {
            case .waiting: "waiting"
            case .rated: "rated"
            case .expired: "expired"
            case .cancelled: "cancelled"
            }
        }
    }

    public enum CancelReason: String, Sendable, Equatable {
        /// `DELETE /v1/services/{id}`.
        case cancelled
        /// Another service opened at the same window.
        case replaced
        /// The agent stopped while the service was waiting.
        case shutdown
    }

    public var serviceId: String
    public var windowCode: String
    public var ticket: CaseTicket
    public var staffLoginName: String?
    public var openedAt: Date
    public var countdownSeconds: Int
    public var state: State
    /// Rated and held for its reasons until then (`POST …/detail`); nil when
    /// no detail is awaited.
    public var detailUntil: Date?
    /// The reasons arrived and went with the evaluation.
    public var detailReceived = false

    public init(serviceId: String, windowCode: String, ticket: CaseTicket, staffLoginName: String? = nil,
                openedAt: Date, countdownSeconds: Int, state: State = .waiting) {
        self.serviceId = serviceId
        self.windowCode = windowCode
        self.ticket = ticket
        self.staffLoginName = staffLoginName
        self.openedAt = openedAt
        self.countdownSeconds = countdownSeconds
        self.state = state
    }

    public var isWaiting: Bool { state == .waiting }
}
