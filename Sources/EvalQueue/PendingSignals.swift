import Foundation

/// Fans "a record became pending" out to every `pendingSignals()` stream.
/// Each stream buffers at most one signal: the forwarder only needs to know
/// that there is work, not how many times it appeared.
final class PendingSignals: Sendable {
    private let state = Mutex()

    func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let key = state.add(continuation)
        continuation.onTermination = { [weak self] _ in self?.state.remove(key) }
        return stream
    }

    func signal() { state.forEach { $0.yield() } }

    func finish() { state.forEach { $0.finish() } }

    private final class Mutex: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var continuations: [Int: AsyncStream<Void>.Continuation] = [:]

        func add(_ continuation: AsyncStream<Void>.Continuation) -> Int {
            lock.withLock {
                next += 1
                continuations[next] = continuation
                return next
            }
        }

        func remove(_ key: Int) { _ = lock.withLock { continuations.removeValue(forKey: key) } }

        func forEach(_ body: (AsyncStream<Void>.Continuation) -> Void) {
            let all = lock.withLock { Array(continuations.values) }
            all.forEach(body)
        }
    }
}
