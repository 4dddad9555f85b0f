import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events subscriber on a background thread: `GET path`,
/// events collected as they arrive, waits bounded by deadlines. Like a
/// browser's `EventSource`, minus reconnection.
///
/// Unchecked: its mutable state is guarded by one `NSCondition` (the reader
/// thread waits on it for events), which the compiler cannot see.
public final class EventStreamClient: @unchecked Sendable {
    public struct Event: Sendable, Equatable {
        public var name: String
        public var data: String
        public var json: [String: String] {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] else { return [:] }
            return object.mapValues { "\($0)" }
        }
    }

    private let condition = NSCondition()
    private var events: [Event] = []      // guarded by `condition`
    private var subscribed = false        // guarded by `condition`
    private var closed = false            // guarded by `condition`
    public private(set) var status: Int?
    private let fd: Int32

    /// Connects and sends the request; events arrive on a thread of its own.
    public init(_ client: LocalHTTPClient, path: String, headers: [String: String] = [:]) throws {
        fd = try client.connect()
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try LocalHTTPClient.write(fd, Data((head + "\r\n").utf8))
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    deinit { close() }

    public func close() {
        condition.lock()
        let wasClosed = closed
        closed = true
        condition.broadcast()
        condition.unlock()
        if !wasClosed { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// True once the server's first comment (`: subscribed`) arrived.
    public func waitUntilSubscribed(timeout: Duration) -> Bool {
        wait(timeout: timeout) { $0.subscribed }
    }

    /// The first event named `name` (after `skipping` earlier ones of that name).
    public func next(_ name: String, matching: (Event) -> Bool = { _ in true }, timeout: Duration) -> Event? {
        var found: Event?
        _ = wait(timeout: timeout) { s in
            found = s.events.first { $0.name == name && matching($0) }
            return found != nil
        }
        return found
    }

    /// The event at position `index` (0-based, in arrival order), when it comes.
    public func nextEvent(after index: Int, timeout: Duration) -> Event? {
        var found: Event?
        _ = wait(timeout: timeout) { s in
            found = s.events.count > index ? s.events[index] : nil
            return found != nil
        }
        return found
    }

    /// True once the server ended the stream (or `close` was called).
    public func waitUntilClosed(timeout: Duration) -> Bool {
        wait(timeout: timeout) { $0.closed }
    }

    public var received: [Event] {
        condition.lock()
        defer { condition.unlock() }
        return events
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    private func wait(timeout: Duration, _ done: (EventStreamClient) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !done(self) {
            if closed || !condition.wait(until: deadline) { return done(self) }
        }
        return true
    }

    private func readLoop() {
        var raw = Data()
        var headerDone = false
        var chunked = false
        var decoder = ChunkedDecoder()
        var text = ""
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                condition.lock()
                let stop = closed
                condition.unlock()
                if stop { break }
                continue
            }
            if n <= 0 { break }
            var body = Data()
            if headerDone {
                body = chunked ? decoder.feed(Data(chunk[..<n])) : Data(chunk[..<n])
            } else {
                raw.append(contentsOf: chunk[..<n])
                guard let end = raw.firstRange(of: Data("\r\n\r\n".utf8)) else { continue }
                let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).lowercased()
                status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                chunked = head.contains("transfer-encoding: chunked")
                headerDone = true
                let rest = Data(raw[end.upperBound...])
                body = chunked ? decoder.feed(rest) : rest
            }
            text += String(decoding: body, as: UTF8.self)
            parse(&text)
        }
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func parse(_ text: inout String) {
        while let range = text.range(of: "\n\n") {
            let block = String(text[..<range.lowerBound])
            text = String(text[range.upperBound...])
            var name = "message"
            var data: [String] = []
            var comment = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { comment = true } else if line.hasPrefix("event:") {
                    name = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    data.append(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
                }
            }
            condition.lock()
            if comment && data.isEmpty { subscribed = true } else { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
            condition.broadcast()
            condition.unlock()
        }
    }
}
