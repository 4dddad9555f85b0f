/// Why a record was not delivered at an attempt: the `reason` label of
/// `evald_delivery_failures_total`, so a fleet tells refused credentials from
/// an unreachable platform.
public enum DeliveryFailureReason: String, Sendable, Hashable, CaseIterable {
    /// 401: the platform refuses our key, signature or timestamp.
    case unauthorized
    /// 429 or 503 with the platform asking us to slow down.
    case throttled
    /// Another 5xx.
    case serverError = "server_error"
    /// No answer: name resolution, TCP, TLS, timeout.
    case transport
    /// An answer we cannot trust (malformed, not for our batch).
    case untrustworthy
    /// Held back by evald: made while the clock had lost its time.
    case clock
    /// The forwarder stopped with the record in flight.
    case stopped
    /// Rejected for good by the platform (a dead letter).
    case rejected
    /// Anything else.
    case other
}
