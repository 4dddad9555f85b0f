import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A serial evaluator on a pty pair, for tests: evald opens the slave side
/// (through a link whose path stays put across an unplug and replug, as
/// `/dev/serial/by-path/…` does), the emulator speaks the device's side on
/// the master from a text script, gpsfake-style:
///
/// ```
/// # a polled keypad at address 1: answers every poll with "no key" …
/// on AA 01 50 50 4C reply 55 01 06 00 43 88
/// # … except the next one, which carries key 05
/// on AA 01 50 50 4C once 55 01 06 05 13 8A
/// on AA 02 50 50 BC silent          # address 2 never answers
/// send AA 01 4B 02 48               # a push frame, now
/// wait 50                           # milliseconds
/// expect AA 01 01 00 00             # evald must write exactly these bytes next (after the last expect)
/// hangup                            # the adapter is pulled
/// ```
/// `on` lines are standing answers (`reply`), queued one-shot answers
/// (`once`, used before the standing one) or `silent`; the other lines run in
/// order. Everything evald wrote is kept (`written`).
public final class SerialDeviceEmulator: Sendable {
    public struct ScriptError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Rule {
        var request: [UInt8]
        var standing: [UInt8]?
        var once: [[UInt8]] = []
    }

    private struct State {
        var master: Int32 = -1
        var slave: Int32 = -1
        var written: [UInt8] = []
        var expectCursor = 0
        var pending: [UInt8] = []
        var rules: [Rule] = []
        var stopRead: Int32 = -1
        var reader: Thread?
    }

    /// The stable path evald is configured with (a symlink to the current pty).
    public let link: String
    private let state = Mutex(State())

    public init(link: String) throws {
        self.link = link
        try plug()
    }

    deinit { unplug() }

    /// Everything evald has written to the device so far.
    public var written: [UInt8] { state.withLock { $0.written } }

    /// A new pty behind `link` (a replug: a new device node, the same path).
    public func plug() throws {
        // posix_openpt/unlockpt/ptsname are not in Swift's Glibc module: the
        // same through /dev/ptmx and its ioctls (TIOCSPTLCK, TIOCGPTN; asm-generic values).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            throw ScriptError(description: "cannot create a pty: \(String(cString: strerror(errno)))")
        }
        let slavePath = "/dev/pts/\(number)"
        // Held open so the master never sees a hang-up while evald has the
        // port closed, and raw so no byte is translated before evald sets it.
        let slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        var tio = termios()
        tcgetattr(slave, &tio)
        cfmakeraw(&tio)
        tcsetattr(slave, TCSANOW, &tio)
        unlink(link)
        symlink(slavePath, link)
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        state.withLock {
            $0.master = master
            $0.slave = slave
            $0.stopRead = fds[1]
            $0.pending.removeAll()
        }
        let stopRead = fds[0]
        let thread = Thread { [self] in readLoop(master: master, stop: stopRead) }
        thread.name = "serial emulator"
        thread.start()
    }

    /// The adapter is pulled: the master closes, evald's reads fail.
    public func unplug() {
        let (master, slave, stop) = state.withLock { s in
            defer { s.master = -1; s.slave = -1; s.stopRead = -1 }
            return (s.master, s.slave, s.stopRead)
        }
        guard master >= 0 else { return }
        var one: UInt8 = 1
        _ = write(stop, &one, 1)
        close(stop)
        // The read thread closes the master once it has stopped reading it.
        close(slave)
        unlink(link)
    }

    /// Sends bytes to evald as the device.
    public func send(_ bytes: [UInt8]) {
        let master = state.withLock { $0.master }
        guard master >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Adds one `on` rule (as the script's `on` line).
    public func on(_ request: [UInt8], reply: [UInt8]? = nil, once: [UInt8]? = nil) {
        state.withLock { s in
            if let index = s.rules.firstIndex(where: { $0.request == request }) {
                if let once { s.rules[index].once.append(once) } else { s.rules[index].standing = reply }
            } else {
                s.rules.append(Rule(request: request, standing: once == nil ? reply : nil, once: once.map { [$0] } ?? []))
            }
        }
    }

    /// Waits until evald has written `bytes` (after what earlier expects
    /// matched). Throws with what it did write when `timeout` passes first:
    /// a bound against a hung test, not a measure of anything.
    public func expect(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let found: Bool = state.withLock { s in
                guard s.written.count >= s.expectCursor + bytes.count else { return false }
                for start in s.expectCursor...(s.written.count - bytes.count) where s.written[start..<(start + bytes.count)].elementsEqual(bytes) {
                    s.expectCursor = start + bytes.count
                    return true
                }
                return false
            }
            if found { return }
            if ContinuousClock.now >= deadline {
                throw ScriptError(description: "expected \(Self.hex(bytes)); evald wrote \(Self.hex(written))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Runs a script (see the type's comment).
    public func run(script: String) async throws {
        for (number, raw) in script.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            let words = line.split(separator: " ").map(String.init)
            func bytes(_ words: ArraySlice<String>) throws -> [UInt8] {
                try words.map { word in
                    guard word.count == 2, let byte = UInt8(word, radix: 16) else { throw ScriptError(description: "line \(number + 1): \"\(word)\" is not a hex byte") }
                    return byte
                }
            }
            switch words[0] {
            case "send": send(try bytes(words.dropFirst()))
            case "expect": try await expect(try bytes(words.dropFirst()))
            case "wait":
                guard words.count == 2, let ms = Int(words[1]) else { throw ScriptError(description: "line \(number + 1): wait <ms>") }
                try await Task.sleep(for: .milliseconds(ms))
            case "hangup": unplug()
            case "plug": try plug()
            case "on":
                guard let verb = words.firstIndex(where: { $0 == "reply" || $0 == "once" || $0 == "silent" }) else {
                    throw ScriptError(description: "line \(number + 1): on <request> reply|once <answer> | silent")
                }
                let request = try bytes(words[1..<verb])
                let answer = try bytes(words[(verb + 1)...])
                switch words[verb] {
                case "reply": on(request, reply: answer)
                case "once": on(request, once: answer)
                default: on(request, reply: nil)
                }
            default:
                throw ScriptError(description: "line \(number + 1): unknown \"\(words[0])\"")
            }
        }
    }

    private func readLoop(master: Int32, stop: Int32) {
        defer {
            close(master)
            close(stop)
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else {
                if fds[0].revents != 0 { usleep(1_000) }
                continue
            }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { continue }
            let replies: [[UInt8]] = state.withLock { s in
                s.written += buffer[0..<count]
                s.pending += buffer[0..<count]
                var out: [[UInt8]] = []
                // Answer each request as it completes, in the order written.
                var matched = true
                while matched {
                    matched = false
                    for index in s.rules.indices {
                        let request = s.rules[index].request
                        guard let at = Self.find(request, in: s.pending) else { continue }
                        s.pending.removeFirst(at + request.count)
                        if !s.rules[index].once.isEmpty {
                            out.append(s.rules[index].once.removeFirst())
                        } else if let standing = s.rules[index].standing {
                            out.append(standing)
                        }
                        matched = true
                        break
                    }
                }
                if s.pending.count > 4096 { s.pending.removeFirst(s.pending.count - 64) }
                return out
            }
            for reply in replies { _ = reply.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined(separator: " ") }
}
