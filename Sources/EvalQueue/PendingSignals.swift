import Synchronization

/// Fans "a record became pending" out to every `pendingSignals()` stream.
/// Each stream buffers at most one signal: the forwarder only needs to know
/// that there is work, not how many times it appeared.
final class PendingSignals: Sendable {
    private struct Streams {
        var next = 0
        var continuations: [Int: AsyncStream<Void>.Continuation] = [:]
    }

    private let streams = Mutex(Streams())

    func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let key = streams.withLock { streams in
            streams.next += 1
            streams.continuations[streams.next] = continuation
            return streams.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.streams.withLock { $0.continuations.removeValue(forKey: key) }
        }
        return stream
    }

    func signal() { all().forEach { $0.yield() } }

    func finish() { all().forEach { $0.finish() } }

    private func all() -> [AsyncStream<Void>.Continuation] { streams.withLock { Array($0.continuations.values) } }
}
