import CLibUSB
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes a reader thread blocked in poll(): a pipe whose read end is polled
/// next to the device node. Cancelling the task writes one byte.
final class StopSignal: @unchecked Sendable {
    // Both descriptors are written once in init and closed in deinit only.
    let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    func fire() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    var isFired: Bool {
        var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}

enum WaitOutcome: Equatable {
    case readable
    case timedOut
    case stopped
    /// POLLHUP/POLLERR/POLLNVAL on the device: it went away.
    case hangUp
    /// The `wake` descriptor became readable (only when one was given).
    case woken
}

/// Blocks until `fd` is readable, `stop` fires, `wake` (if given) is
/// readable, or `timeoutMilliseconds` pass (-1 = forever).
func waitReadable(_ fd: Int32, stop: StopSignal, timeoutMilliseconds: Int32, wake: Int32? = nil) -> WaitOutcome {
    var fds = [
        pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
        pollfd(fd: stop.readEnd, events: Int16(POLLIN), revents: 0),
    ]
    if let wake { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
    while true {
        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { continue }
            return .hangUp
        }
        if ready == 0 { return .timedOut }
        if fds[1].revents != 0 { return .stopped }
        if fds[0].revents & Int16(POLLIN) != 0 { return .readable }
        if fds[0].revents != 0 || wake == nil { return .hangUp }
        return .woken
    }
}

/// Runs `body` on a dedicated thread (blocking reads, no busy polling) and
/// returns its result when it ends. Task cancellation fires the stop signal.
func runOnDedicatedThread<Result: Sendable>(name: String, _ body: @escaping @Sendable (StopSignal) -> Result) async -> Result {
    let stop = StopSignal()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { (done: CheckedContinuation<Result, Never>) in
            let thread = Thread {
                done.resume(returning: body(stop))
            }
            thread.name = name
            thread.start()
        }
    } onCancel: {
        stop.fire()
    }
}

/// Monotonic seconds, for timeouts that must not jump with the wall clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func errnoDescription(_ code: Int32) -> String { String(cString: strerror(code)) }
