#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A plain TCP client socket on 127.0.0.1, for tests that must hold
/// connections open, send partial requests and see when the server closes.
/// Every read is bounded by `SO_RCVTIMEO`; nothing sleeps. Its calls block:
/// make them through `onOwnThread`, not on the cooperative pool. Unchecked
/// Sendable: one test uses a connection at a time, from one thread at a time.
public final class LoopbackConnection: @unchecked Sendable {
    public private(set) var fd: Int32

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            // A class whose init throws once every property is set still runs
            // deinit: close here and mark it, or deinit closes the number a
            // second time — by then another thread's descriptor (a queue
            // file, a NIO socket).
            Glibc.close(fd)
            fd = -1
            throw Failure("connect to 127.0.0.1:\(port): \(message)")
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    public enum Outcome: Equatable, Sendable {
        /// The server closed the connection (EOF or reset) after these bytes.
        case closed(String)
        /// Still open when the wait ran out, with what arrived.
        case open(String)
    }

    /// Reads until the server closes, `needle` has arrived, or `wait` passes with no byte.
    public func read(until needle: String? = nil, wait: Duration) -> Outcome {
        var tv = timeval(tv_sec: Int(wait.components.seconds), tv_usec: Int(wait.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                received.append(contentsOf: buffer[0..<n])
                if let needle, String(decoding: received, as: UTF8.self).contains(needle) { return .open(String(decoding: received, as: UTF8.self)) }
                continue
            }
            let text = String(decoding: received, as: UTF8.self)
            if n == 0 || errno == ECONNRESET { return .closed(text) }
            return .open(text)
        }
    }

    /// Whether the server has closed this connection by now (no waiting).
    public var closedByPeer: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    /// The status of the answer in `text` (`HTTP/1.1 200 OK…` → 200).
    public static func status(_ text: String) -> Int? {
        text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
