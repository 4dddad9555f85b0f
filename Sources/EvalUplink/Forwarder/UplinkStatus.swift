import EvalCore
import Foundation

/// What `evalctl status` and the metrics endpoint show about the link.
public struct UplinkStatus: Sendable, Hashable, Codable {
    public var lastDeliveryAt: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    public var consecutiveFailures: Int = 0
    /// The platform answered 401: it refuses our key, signature or timestamp.
    public var authFailing: Bool = false
    /// Link-wide pause (429 Retry-After or backoff) until this instant.
    public var backoffUntil: Date?
    public var delivered: Int = 0
    public var rejected: Int = 0
    public var requests: Int = 0
    /// Whether the wall clock dates evaluations right (ClockTrust's judgement).
    public var clock: ClockReport = .notYetSampled
    /// Seconds to add to our clock to get the platform's (from a 401's `Date`).
    public var platformClockOffset: TimeInterval = 0

    public init() {}

    /// One line for `evalctl status`.
    public var summary: String {
        var parts: [String] = []
        if authFailing { parts.append("AUTH FAILING: platform refuses our credentials") }
        if consecutiveFailures > 0 { parts.append("\(consecutiveFailures) consecutive failures") }
        if let lastError { parts.append("last error: \(lastError)") }
        if let lastDeliveryAt { parts.append("last delivery \(lastDeliveryAt)") }
        parts.append("clock \(clock)")
        return parts.joined(separator: "; ")
    }
}
