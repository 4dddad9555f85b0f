/// When a connection is closed for idling, as a pure value: every event
/// returns what the I/O layer must do with the connection's one timer.
///
/// - accepted: the first request's head must arrive within `headerTimeout`;
/// - a request's head read: its body must be complete within `idleTimeout`;
/// - the request read: no timer while the answer is produced and written,
///   however long (an event stream stays open until the client leaves);
/// - the answer written: the next request's head must arrive within
///   `idleTimeout` (keep-alive).
///
/// The timer is checked against the deadline when it fires, so a stale timer
/// (scheduled before a later event moved the deadline) closes nothing.
public struct ConnectionTimeouts<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public enum Action: Equatable, Sendable {
        case schedule(Instant)
        case cancel
        case close
        case none
    }

    public let idleTimeout: Duration
    public let headerTimeout: Duration
    public private(set) var deadline: Instant?
    /// Requests whose head was read and whose answer is not yet written.
    private var inProgress = 0

    public init(idleTimeout: Duration, headerTimeout: Duration) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }

    public mutating func accepted(at now: Instant) -> Action {
        set(now.advanced(by: headerTimeout))
    }

    public mutating func requestHeadRead(at now: Instant) -> Action {
        inProgress += 1
        return set(now.advanced(by: idleTimeout))
    }

    public mutating func requestRead() -> Action {
        deadline = nil
        return .cancel
    }

    public mutating func answerWritten(at now: Instant) -> Action {
        inProgress = max(0, inProgress - 1)
        // A pipelined request already read: its answer comes next, no timer.
        guard inProgress == 0 else { return .none }
        return set(now.advanced(by: idleTimeout))
    }

    public mutating func timerFired(at now: Instant) -> Action {
        guard let deadline else { return .none }
        if now >= deadline { return .close }
        return .schedule(deadline)
    }

    private mutating func set(_ deadline: Instant) -> Action {
        self.deadline = deadline
        return .schedule(deadline)
    }
}
