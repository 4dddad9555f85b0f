import Foundation

/// Runs blocking or CPU-bound work on a thread of its own and awaits it.
///
/// Swift's cooperative pool has one thread per core: two on the CI machine.
/// A test that blocks one of them (a semaphore wait for a child process, a
/// 30-second exploration loop) starves every other test's tasks, and their
/// bounded waits then fail for no fault of the code under test. Work given to
/// `onOwnThread` competes for the CPU through the kernel's scheduler instead.
///
/// `body` runs outside the test's task: record nothing from it with
/// `#expect`; return what to check, or throw.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
