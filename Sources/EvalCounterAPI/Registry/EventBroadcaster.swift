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
        var refused = 0
    }

    private let state = Mutex(State())
    public let backlogLimit: Int
    /// Streams open at once (`[api] max_event_streams`); each holds a
    /// connection and a backlog, so their number is bounded too.
    public let maxSubscribers: Int

    public init(backlogLimit: Int = 256, maxSubscribers: Int = 64) {
        self.backlogLimit = backlogLimit
        self.maxSubscribers = max(1, maxSubscribers)
    }

    /// Events of `windowCode` (all windows when nil), from now on.
    public func subscribe(windowCode: String?) -> AsyncStream<CounterEvent> {
        subscribe(windowCode: windowCode, capped: false)!
    }

    /// The same, or nil when `maxSubscribers` streams are already open.
    public func subscribeIfRoom(windowCode: String?) -> AsyncStream<CounterEvent>? {
        subscribe(windowCode: windowCode, capped: true)
    }

    private func subscribe(windowCode: String?, capped: Bool) -> AsyncStream<CounterEvent>? {
        let (stream, continuation) = AsyncStream<CounterEvent>.makeStream(bufferingPolicy: .bufferingNewest(backlogLimit))
        enum Admission { case subscribed(UInt64), finished, full }
        let admission: Admission = state.withLock { s in
            if s.finished { return .finished }
            if capped, s.subscribers.count >= maxSubscribers {
                s.refused += 1
                return .full
            }
            s.nextKey += 1
            s.subscribers[s.nextKey] = Subscriber(windowCode: windowCode, continuation: continuation)
            return .subscribed(s.nextKey)
        }
        let key: UInt64
        switch admission {
        case .subscribed(let k): key = k
        case .finished:
            continuation.finish()
            return stream
        case .full:
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
    /// Subscriptions refused because `maxSubscribers` were open.
    public var refusedSubscriptions: Int { state.withLock { $0.refused } }

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
