/// Where one queued evaluation is in its life:
/// pending → inflight → delivered, or → rejected (a dead letter).
/// Stored as text, so the file reads plainly with the `sqlite3` shell.
public enum RecordState: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Waiting to be sent (first time, or again after a retryable failure).
    case pending
    /// Claimed by the forwarder; back to pending if the agent crashes meanwhile.
    case inflight
    /// The platform answered `accepted` or `duplicate`. Kept for audit, then pruned.
    case delivered
    /// The platform answered `rejected`: final until an operator retries it.
    case rejected

    public var description: String { rawValue }

    /// Counts against the pending caps: not yet in the platform's hands.
    public var isUndelivered: Bool { self == .pending || self == .inflight }
}
