#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// An exclusive `flock` on the lock file next to the queue: a second evald on
/// the same queue is refused with a message naming the holder.
///
/// flock (not a PID file) because the kernel drops it when the holder dies,
/// even by SIGKILL, so a crash never leaves a stale lock behind.
public final class InstanceLock: Sendable {
    public struct HeldElsewhere: Error, CustomStringConvertible {
        public var path: String
        public var holderPID: Int32?
        public var description: String {
            let who = holderPID.map { "process \($0)" } ?? "another process"
            return "another evald (\(who)) already runs on this queue: lock \(path) is held. Stop it first (systemctl stop evald) or give this instance another [agent] state_dir."
        }
    }

    public struct OpenFailed: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String {
            let reason = String(cString: strerror(errno))
            let hint = errno == EACCES ? " (run as user evald, or fix the owner of the state directory)" : ""
            return "cannot open lock file \(path): \(reason)\(hint)"
        }
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock or throws at once; never waits.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OpenFailed(path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.readPID(fd)
            close(fd)
            throw HeldElsewhere(path: path, holderPID: holder)
        }
        // Record who holds it, for the message a second instance prints.
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.path = path
        self.descriptor = fd
    }

    /// Releases the lock (also released by the kernel when the process exits).
    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// What a probe of the lock tells about the daemon.
    public enum Probe: Sendable, Equatable {
        case held(pid: Int32?)
        /// Nobody holds it, or the file does not exist (evald never ran here, or not now).
        case free
        /// The lock file (or its directory) cannot be opened: permission or I/O.
        case cannotTell(errno: Int32)
    }

    /// Whether some process holds the lock right now, without taking it for
    /// longer than a probe: used by evalctl to tell a running daemon.
    public static func probe(_ path: String) -> Probe {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT || errno == ENOTDIR ? .free : .cannotTell(errno: errno) }
        defer { close(fd) }
        let pid = readPID(fd)
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .free
        }
        return .held(pid: pid)
    }

    public static func holder(of path: String) -> (held: Bool, pid: Int32?) {
        if case .held(let pid) = probe(path) { return (true, pid) }
        return (false, nil)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
