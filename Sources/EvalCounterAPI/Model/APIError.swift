/// An answer other than success, as the client sees it: HTTP status, a
/// stable machine code and a sentence. Never holds identity data.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// Extra fields of the error object (`evaluationId` of a 409).
    public var details: [String: String]
    /// Seconds, for 429.
    public var retryAfter: Int?

    public init(_ status: Int, _ code: String, _ message: String, details: [String: String] = [:], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status) \(code): \(message)" }

    static func invalid(_ message: String) -> APIError { APIError(400, "invalid-request", message) }
    static func notFound(_ message: String) -> APIError { APIError(404, "not-found", message) }
    static func unknownWindow(_ code: String) -> APIError { APIError(404, "unknown-window", "window \(code) is not configured on this agent") }
}
