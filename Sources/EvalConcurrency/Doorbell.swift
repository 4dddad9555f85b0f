import Synchronization

/// A coalescing wake-up: any number of `ring()`s while nobody waits make the
/// next `wait` return at once; a ring is never lost between "nothing to do"
/// and "go to sleep". This is what lets the forwarder and the default-rating
/// pass sleep instead of poll. Deadlines are instants of `C`, so tests wait
/// on a manual clock. One waiter at a time.
public final class Doorbell<C: Clock>: Sendable {
    public let clock: C
    private let state = Mutex(State())

    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    public init(clock: C) { self.clock = clock }

    public func ring() {
        let toResume: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        toResume?.resume()
    }

    /// Returns on a ring, at `deadline` (nil: none), or on cancellation.
    public func wait(until deadline: C.Instant?) async {
        let timer: Task<Void, Never>? = deadline.map { deadline in
            Task { [weak self, clock] in
                do {
                    try await clock.sleep(until: deadline, tolerance: nil)
                    self?.ring()
                } catch {}
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.ring()
        }
    }
}
