#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Opens the writing end of a FIFO once a reader has its other end open,
/// waiting at most `timeout`. A plain open(2) for writing blocks until a
/// reader comes — on a cooperative-pool thread that can be the very thread
/// the reader's task needs, and the test deadlocks. This opens non-blocking
/// (ENXIO while nobody reads), retries on a timer, then returns a blocking
/// handle for small writes.
public func openFIFOForWriting(_ path: String, timeout: Duration = .seconds(30)) async throws -> FileHandle {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        let code = errno
        guard code == ENXIO || code == EINTR else {
            throw ChildProcess.Timeout(what: "a reader of \(path) (open: \(String(cString: strerror(code))))")
        }
        guard clock.now < deadline else { throw ChildProcess.Timeout(what: "a reader of \(path) within \(timeout)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
