import Foundation

/// A coalescing wake-up: any number of `ring()`s while nobody waits make the
/// next `wait` return at once; a ring is never lost between "nothing to do"
/// and "go to sleep". This is what lets the forwarder sleep instead of poll.
final class Doorbell: @unchecked Sendable {
    private let lock = NSLock()
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        let toResume: CheckedContinuation<Void, Never>? = lock.withLock {
            if let waiter {
                self.waiter = nil
                return waiter
            }
            rung = true
            return nil
        }
        toResume?.resume()
    }

    /// Returns on a ring, after `timeout` seconds (nil: no timeout), or on cancellation.
    func wait(timeout: TimeInterval?) async {
        let timer: Task<Void, Never>? = timeout.map { seconds in
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(Int64((max(seconds, 0) * 1000).rounded(.up))))
                if !Task.isCancelled { self?.ring() }
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if rung {
                        rung = false
                        return true
                    }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.ring()
        }
    }
}
