import EvalOperator
import Foundation
import Synchronization

/// The daemon's live state, shared by its loops; the status file writer and
/// the metrics endpoint read snapshots of it.
public final class StatusBoard: Sendable {
    private let state: Mutex<AgentStatus>
    private let changed = Mutex<AsyncStream<Void>.Continuation?>(nil)
    public let changes: AsyncStream<Void>

    public init(version: String, now: Date = Date()) {
        state = Mutex(AgentStatus(pid: getpid(), version: version, startedAt: now, updatedAt: now))
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        changes = stream
        changed.withLock { $0 = continuation }
    }

    public func snapshot() -> AgentStatus { state.withLock { $0 } }

    /// Applies `change`; `notify` asks the status writer to write soon.
    public func update(notify: Bool = true, _ change: (inout AgentStatus) -> Void) {
        state.withLock { change(&$0) }
        if notify { changed.withLock { _ = $0?.yield() } }
    }

    /// Applies `change` and asks the status writer to write soon if it returns true
    /// (a change that decides for itself whether it is news).
    public func updateIfNews(_ change: (inout AgentStatus) -> Bool) {
        let news = state.withLock { change(&$0) }
        if news { changed.withLock { _ = $0?.yield() } }
    }

    public func recordError(_ message: String, at date: Date = Date()) {
        update { $0.lastError = message; $0.lastErrorAt = date }
    }

    /// The queue refused an evaluation: counted and kept as the last refusal
    /// (and the last error) so `evalctl status` shows it.
    public func recordRefusal(_ message: String, at date: Date = Date()) {
        update {
            $0.refusals = ($0.refusals ?? 0) + 1
            $0.lastRefusal = message
            $0.lastRefusalAt = date
            $0.lastError = message
            $0.lastErrorAt = date
        }
    }

    public func finish() { changed.withLock { $0?.finish() } }
}
