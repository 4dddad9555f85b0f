/// What one local HTTP listener (the counter API's socket or port, `/metrics`)
/// allows, so idle or slow clients cannot take the file descriptors the
/// uplink, the alert pipes and the device opens need (issue #24 item 5).
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once; one more is closed as soon as it is accepted.
    public var maxConnections: Int
    /// A connection with no request in progress (after its previous answer,
    /// or a request body that stalls) is closed after this long.
    public var idleTimeout: Duration
    /// A new connection must have sent its first request's head (request line
    /// and headers) within this long, or it is closed (slowloris).
    public var headerTimeout: Duration

    public init(maxConnections: Int = 128, idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10)) {
        self.maxConnections = max(1, maxConnections)
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }
}
