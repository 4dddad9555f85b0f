import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client over a Unix socket or loopback TCP for evald's
/// counter API: evalctl's `service` verbs, the tests and the benchmark use it
/// (URLSession cannot reach a Unix socket, and evalctl must not link NIO).
/// One request per connection (`Connection: close`); every read has a deadline.
public struct LocalHTTPClient: Sendable {
    public enum Endpoint: Sendable {
        case unix(String)
        case tcp(port: Int)
    }

    public struct Response: Sendable, CustomStringConvertible {
        public var status: Int
        /// Lowercased names.
        public var headers: [String: String]
        public var body: Data

        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        public var description: String { "\(status) \(text)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let endpoint: Endpoint
    public var timeout: Duration

    public init(_ endpoint: Endpoint, timeout: Duration = .seconds(20)) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    public func request(_ method: String, _ path: String, json: String? = nil, body: Data? = nil,
                        headers: [String: String] = [:]) throws -> Response {
        let payload = body ?? json.map { Data($0.utf8) }
        let fd = try connect()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let payload { head += "Content-Length: \(payload.count)\r\n" }
        if json != nil, headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try Self.write(fd, Data(head.utf8) + (payload ?? Data()))
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw Failure(description: "\(method) \(path): no answer within \(timeout)") }
            if n <= 0 { break }
            received.append(contentsOf: chunk[..<n])
            // A server may keep the connection open after a complete answer.
            if let response = try? Self.parse(received), response.complete { return response.response }
        }
        guard let parsed = try? Self.parse(received) else { throw Failure(description: "\(method) \(path): malformed answer \(received.count) bytes") }
        return parsed.response
    }

    /// Opens a connection for a streaming request (SSE); the caller owns the fd.
    public func connect() throws -> Int32 {
        let fd: Int32
        switch endpoint {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "path too long") }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { close(fd); throw Failure(description: "connect \(path): \(String(cString: strerror(errno)))") }
        case .tcp(let port):
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { close(fd); throw Failure(description: "connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func write(_ fd: Int32, _ data: Data) throws {
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
    }

    /// Status line, headers, and a body framed by Content-Length or chunks.
    static func parse(_ data: Data) throws -> (response: Response, complete: Bool) {
        guard let end = data.firstRange(of: Data("\r\n\r\n".utf8)) else { throw Failure(description: "no header end") }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw Failure(description: "bad status line") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let rest = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            let (body, finished) = ChunkedDecoder.decodeAll(rest)
            return (Response(status: status, headers: headers, body: body), finished)
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            return (Response(status: status, headers: headers, body: rest.prefix(length)), rest.count >= length)
        }
        return (Response(status: status, headers: headers, body: rest), false)
    }
}

/// Decodes `Transfer-Encoding: chunked` as bytes arrive.
struct ChunkedDecoder {
    private var buffer = Data()
    private(set) var finished = false

    /// Appends raw bytes; returns the body bytes now complete.
    mutating func feed(_ bytes: Data) -> Data {
        buffer.append(bytes)
        var out = Data()
        while !finished, let lineEnd = buffer.firstRange(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: buffer[buffer.startIndex..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { finished = true; break }
            if size == 0 { finished = true; break }
            let start = lineEnd.upperBound
            guard buffer.distance(from: start, to: buffer.endIndex) >= size + 2 else { break }
            let dataEnd = buffer.index(start, offsetBy: size)
            out.append(buffer[start..<dataEnd])
            buffer = Data(buffer[buffer.index(dataEnd, offsetBy: 2)...])
        }
        return out
    }

    static func decodeAll(_ data: Data) -> (Data, Bool) {
        var decoder = ChunkedDecoder()
        let body = decoder.feed(data)
        return (body, decoder.finished)
    }
}
