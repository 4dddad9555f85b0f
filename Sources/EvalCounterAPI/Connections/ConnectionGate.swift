import Synchronization

/// Counts one listener's connections across its event loops: admits a new
/// one while fewer than `limits.maxConnections` are open, and keeps the
/// totals `/metrics` shows (`evald_http_connections…`).
public final class ConnectionGate: Sendable {
    public let name: String
    public let limits: ConnectionLimits
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let timedOut = Atomic<Int>(0)

    public init(name: String, limits: ConnectionLimits) {
        self.name = name
        self.limits = limits
    }

    /// Takes a slot; false (and counted as refused) when all are taken.
    public func admit() -> Bool {
        while true {
            let current = open.load(ordering: .relaxed)
            if current >= limits.maxConnections {
                refused.add(1, ordering: .relaxed)
                return false
            }
            if open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    /// Gives back the slot of an admitted connection that closed.
    public func release() { open.subtract(1, ordering: .relaxed) }

    public func recordTimeout() { timedOut.add(1, ordering: .relaxed) }

    public var openConnections: Int { open.load(ordering: .relaxed) }
    /// Connections closed at once because the listener was full.
    public var refusedConnections: Int { refused.load(ordering: .relaxed) }
    /// Connections closed by the idle or the header timeout.
    public var timedOutConnections: Int { timedOut.load(ordering: .relaxed) }
}
