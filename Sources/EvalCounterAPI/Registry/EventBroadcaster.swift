import Synchronization

/// Fans counter events out to the SSE clients, each filtered by window.
/// A slow client's backlog is bounded (it loses the oldest events, never
/// holds up the sessions); `finishAll` ends every stream at shutdown.
public final class EventBroadcaster: Sendable {
    private struct Subscriber {
        var windowCode: String?
        var continuation: AsyncStream<CounterEvent>.Continuation
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextKey: UInt64 = 0
        var finished = false
    }

    private let state = Mutex(State())
    public let backlogLimit: Int

    public init(backlogLimit: Int = 256) {
        self.backlogLimit = backlogLimit
    }

    /// Events of `windowCode` (all windows when nil), from now on.
    public func subscribe(windowCode: String?) -> AsyncStream<CounterEvent> {
        let (stream, continuation) = AsyncStream<CounterEvent>.makeStream(bufferingPolicy: .bufferingNewest(backlogLimit))
        let key: UInt64? = state.withLock { s in
            if s.finished { return nil }
            s.nextKey += 1
            s.subscribers[s.nextKey] = Subscriber(windowCode: windowCode, continuation: continuation)
            return s.nextKey
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func publish(_ event: CounterEvent) {
        let targets = state.withLock { s in
            s.subscribers.values.filter { $0.windowCode == nil || $0.windowCode == event.windowCode }.map(\.continuation)
        }
        for continuation in targets { continuation.yield(event) }
    }

    public func finishAll() {
        let all = state.withLock { s in
            s.finished = true
            defer { s.subscribers = [:] }
            return s.subscribers.values.map(\.continuation)
        }
        for continuation in all { continuation.finish() }
    }
}
