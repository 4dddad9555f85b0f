#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// evalctl's side of the control socket: connect, send one line, read one line.
public enum ControlClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var errno: Int32?
    }

    public static func send(_ request: ControlRequest, to path: String, timeout: Duration = .seconds(30)) throws -> ControlResponse {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))", errno: errno) }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            let hint = code == EACCES ? " (permission denied: run as root or as a member of group evald)" : ""
            throw Failure(description: "cannot reach evald at \(path): \(String(cString: strerror(code)))\(hint)", errno: code)
        }
        var payload = try JSONEncoder().encode(request)
        payload.append(UInt8(ascii: "\n"))
        let written = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == payload.count else { throw Failure(description: "cannot write to evald's control socket") }

        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !received.contains(UInt8(ascii: "\n")) {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            received.append(contentsOf: chunk[..<n])
        }
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else {
            throw Failure(description: "evald closed the control socket without an answer")
        }
        return try JSONDecoder().decode(ControlResponse.self, from: received[..<end])
    }
}
