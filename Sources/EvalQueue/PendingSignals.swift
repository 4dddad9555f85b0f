import Synchronization

/// Who is woken when a record becomes pending (`Outbox.onPending`): the
/// forwarder's doorbell. Called on the writer thread right after the commit.
final class PendingSignals: Sendable {
    private let wakes = Mutex<[@Sendable () -> Void]>([])

    func add(_ wake: @escaping @Sendable () -> Void) { wakes.withLock { $0.append(wake) } }

    func signal() { wakes.withLock { $0 }.forEach { $0() } }

    /// The store closed: nobody is woken any more.
    func finish() { wakes.withLock { $0.removeAll() } }
}
