#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The writing end of the simulated keypad's FIFO: lines `press <1-5>` and
/// `scan <text>`, as the demo writes them. For end-to-end tests and benchmarks.
public final class Keypad: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    private var fd: Int32 = -1

    public init(path: String) throws {
        self.path = path
        if access(path, F_OK) != 0 { guard mkfifo(path, 0o600) == 0 else { throw Failure(description: "mkfifo \(path): \(errno)") } }
    }

    /// Opens for writing once evald has the reading end open (bounded wait).
    public func connect(timeout: Duration) async throws {
        let handle = try await openFIFOForWriting(path, timeout: timeout)
        fd = fcntl(handle.fileDescriptor, F_DUPFD_CLOEXEC, 0)  // ours to close; the handle closes its own
    }

    /// Writes one line; false when the reader is gone (evald died).
    @discardableResult
    public func send(_ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// Each line carries the time it was written (`@<boottime seconds>`), as a
    /// real device's events carry theirs: how late evald reads it does not
    /// change when it happened.
    public func press(_ rating: Int) { send("\(Self.deviceTime()) press \(rating)") }
    public func scan(_ text: String) { send("\(Self.deviceTime()) scan \(text)") }

    static func deviceTime() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return String(format: "@%d.%06d", Int(ts.tv_sec), Int(ts.tv_nsec / 1000))
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
