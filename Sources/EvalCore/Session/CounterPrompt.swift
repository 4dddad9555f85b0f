/// What a window's evaluator shows or says to the citizen, when its profile
/// declares how (docs/devices.md, "Prompts"). The session decides *when*;
/// the device layer knows *how* for each keypad, or that it cannot.
public enum CounterPrompt: String, Sendable, Hashable, Codable, CaseIterable {
    /// A service opened for rating: "请您对本次服务做出评价".
    case invite
    /// A citizen's rating was durably stored.
    case thanks
    /// The business system's countdown ran out unrated.
    case timeout
    /// A bad review's reason step (`ReasonStep`): "请按键选择不满意的原因".
    case reason
}

/// A prompt for the evaluators bound to one window.
public struct WindowPrompt: Sendable, Hashable {
    public var prompt: CounterPrompt
    public var windowCode: String
    public var hallCode: String?

    public init(_ prompt: CounterPrompt, windowCode: String, hallCode: String? = nil) {
        self.prompt = prompt
        self.windowCode = windowCode
        self.hallCode = hallCode
    }
}

/// Why the business system stops the counter waiting for a case.
public enum ServiceClose: String, Sendable, Hashable, CustomStringConvertible {
    /// `DELETE /v1/services/{id}`: nothing is shown (the staff chose to).
    case cancelled
    /// The countdown ran out: the evaluator says so (`timeout`).
    case countdownEnded = "countdown-ended"

    public var description: String {
        switch self {
        case .cancelled: "cancelled by the business system"
        case .countdownEnded: "countdown ended"
        }
    }
}
