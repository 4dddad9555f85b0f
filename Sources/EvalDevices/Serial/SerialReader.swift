import CLibUSB
import EvalCore
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads one serial line (a tty) on a thread of its own: frames through the
/// profile's decoder, presses per bus address, polls on a polled bus, and the
/// prompt frames of each bound address. Each bound address is a device of its
/// own to the rest of the agent (`<line id>@<address>`): attached while its
/// keypad can be heard (push: while the line is there; polled: while it
/// answers), so a window whose keypad went silent shows offline.
///
/// Garbage, a wrong checksum, a key with no rating, a frame for an unbound
/// address: counted, logged (rate-limited), never a press.
public struct SerialReader: Sendable {
    public let node: String
    public let profile: DeviceProfile
    public let layout: SerialLayout
    /// The line itself (no address).
    public let identity: DeviceIdentity
    /// Bus addresses bound to windows (polled, announced, prompted).
    public let addresses: [Int]
    public let clock: any WallClock
    public let logger: Logger
    public var prompts: PromptPorts?
    public var counters: SerialLineCounters?
    /// Learn mode: raw bytes with their arrival, as `.raw(…, .report(bytes))`.
    public var watchRaw = false

    public init?(node: String, profile: DeviceProfile, identity: DeviceIdentity, addresses: [Int],
                 clock: any WallClock = SystemWallClock(), logger: Logger) {
        guard let layout = profile.serial else { return nil }
        self.node = node
        self.profile = profile
        self.layout = layout
        self.identity = identity
        self.addresses = layout.address == nil ? [0] : Array(Set(addresses)).sorted()
        self.clock = clock
        self.logger = logger
    }

    /// The bound addresses of the line `lineId` among `bindings`.
    public static func addresses(of lineId: String, in bindings: some Sequence<DeviceBinding>) -> [Int] {
        bindings.compactMap { binding in
            let (base, address) = DeviceIdForm.splitAddress(binding.deviceId)
            return base == lineId ? (address ?? 0) : nil
        }.sorted()
    }

    /// The device behind one address (the line itself when frames carry none).
    func device(_ address: Int) -> DeviceIdentity {
        layout.address == nil ? identity : identity.at(address: address)
    }

    @discardableResult
    public func run(output: @escaping DeviceOutputHandler) async -> ReaderEnd {
        await runOnDedicatedThread(name: "serial \(node)") { stop in
            read(stop: stop, output: output)
        }
    }

    /// Runs the line and its prompt outputs until it goes away or `stop` fires.
    /// Every address it announced is `.detached` before it returns.
    func read(stop: StopSignal, output: @escaping DeviceOutputHandler) -> ReaderEnd {
        let fd: Int32
        do {
            fd = try SerialPort.open(node, line: layout.line)
        } catch {
            let hint: String? = switch error.errno {
            case EACCES, EPERM: DeviceHint.permission
            case EBUSY: "another program holds the port (a terminal, ModemManager, brltty?)"
            default: nil
            }
            logger.error("cannot open serial port", metadata: ["device": "\(identity)", "error": "\(error.message)"])
            output(.event(.problem(device: identity, message: error.message, hint: hint)))
            return .failed
        }
        defer { close(fd) }
        var line = SerialLineState(reader: self, fd: fd, output: output)
        let ports = offerPrompts(line.outbox)
        defer { for port in ports { prompts?.retire(port) } }
        logger.info("reading serial keypad line", metadata: [
            "device": "\(identity)", "profile": "\(profile.name)", "line": "\(layout.line.summary)",
            "mode": "\(layout.mode.rawValue)", "addresses": "\(addresses.map(String.init).joined(separator: ","))",
        ])
        let end = line.run(stop: stop)
        line.announceGone()
        return end
    }

    /// One prompt port per bound address, its frames rendered once here.
    private func offerPrompts(_ outbox: SerialOutbox) -> [PromptPort] {
        guard let prompts else { return [] }
        var ports: [PromptPort] = []
        for address in addresses {
            var outputs = PromptOutputs()
            for prompt in CounterPrompt.allCases {
                guard let output = layout.outputs[prompt] else { continue }
                do {
                    let bytes = try layout.render(output, address: address)
                    switch prompt {
                    case .invite: outputs.invite = .outputReport(bytes)
                    case .thanks: outputs.thanks = .outputReport(bytes)
                    case .timeout: outputs.timeout = .outputReport(bytes)
                    case .reason: outputs.reason = .outputReport(bytes)
                    }
                } catch {
                    logger.error("serial prompt cannot be rendered", metadata: ["profile": "\(profile.name)", "prompt": "\(prompt.rawValue)", "error": "\(error.message)"])
                }
            }
            guard !outputs.declared.isEmpty else { continue }
            let port = prompts.offer(deviceId: device(address).deviceId, outputs: outputs) { _, action in
                guard case .outputReport(let bytes) = action else { return "a serial keypad takes frames" }
                return outbox.send(bytes)
            }
            if let port { ports.append(port) }
        }
        return ports
    }
}

/// Frames handed from prompt queues to the line's thread: the thread alone
/// writes the tty, so a prompt never cuts into a poll on a half-duplex bus.
final class SerialOutbox: Sendable {
    private let frames = Mutex<[[UInt8]]>([])
    private let closed = Mutex(false)
    let wakeRead: Int32
    private let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        for fd in fds where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Queues `bytes` for the line; nil when queued.
    func send(_ bytes: [UInt8]) -> String? {
        if closed.withLock({ $0 }) { return "the line is closed" }
        frames.withLock { $0.append(bytes) }
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
        return nil
    }

    func take() -> [[UInt8]] {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &sink, sink.count) > 0 {}
        return frames.withLock { queued in
            defer { queued.removeAll() }
            return queued
        }
    }

    func close() { closed.withLock { $0 = true } }
}

/// The line's state on its thread: decoder, poller, who is attached.
struct SerialLineState {
    let reader: SerialReader
    let fd: Int32
    let output: DeviceOutputHandler
    let outbox = SerialOutbox()
    var decoder: SerialFrameDecoder
    var poller: SerialPoller<ContinuousClock.Instant>?
    var mapper: EventMapper
    /// Addresses announced `.attached` and not yet `.detached`.
    var attached: Set<Int> = []
    var lastByte: ContinuousClock.Instant?
    let bound: Set<Int>
    /// Learn mode: bytes of the current burst.
    var burst: [UInt8] = []

    init(reader: SerialReader, fd: Int32, output: @escaping DeviceOutputHandler) {
        self.reader = reader
        self.fd = fd
        self.output = output
        decoder = SerialFrameDecoder(layout: reader.layout)
        if reader.layout.mode == .polled, let poll = reader.layout.poll {
            poller = SerialPoller(addresses: reader.addresses, settings: poll)
        }
        mapper = EventMapper(identity: reader.identity, profile: reader.profile, clock: reader.clock)
        bound = Set(reader.addresses)
    }

    var lineId: String { reader.identity.lineId }

    mutating func run(stop: StopSignal) -> ReaderEnd {
        let clock = ContinuousClock()
        if poller == nil {
            // Push: a keypad on a line that is there can be pressed.
            for address in reader.addresses { attach(address) }
        } else {
            perform(poller!.start(at: clock.now))
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let gap = Duration.milliseconds(reader.layout.gapMilliseconds)
        while true {
            let now = clock.now
            var deadline = poller?.nextDeadline
            if decoder.pending > 0 || !burst.isEmpty, let last = lastByte {
                let gapEnd = last.advanced(by: gap)
                deadline = deadline.map { min($0, gapEnd) } ?? gapEnd
            }
            let timeout: Int32 = deadline.map { now >= $0 ? 0 : Int32(min(3_600_000, (now.duration(to: $0) / .milliseconds(1)).rounded(.up))) } ?? -1
            switch waitReadable(fd, stop: stop, timeoutMilliseconds: timeout, wake: outbox.wakeRead) {
            case .stopped:
                return .vanished
            case .hangUp:
                reader.logger.warning("serial port went away", metadata: ["device": "\(reader.identity)"])
                handle(decoder.gap())
                return .vanished
            case .woken:
                for frame in outbox.take() {
                    if var polling = poller {
                        let actions = polling.enqueue(frame)
                        poller = polling
                        perform(actions)
                    } else {
                        send(frame)
                    }
                }
            case .timedOut:
                let now = clock.now
                if decoder.pending > 0, let last = lastByte, now >= last.advanced(by: gap) { handle(decoder.gap()) }
                if !burst.isEmpty, let last = lastByte, now >= last.advanced(by: gap) {
                    output(.raw(reader.identity, .report(burst)))
                    burst.removeAll()
                }
                if var polling = poller {
                    let actions = polling.tick(at: now)
                    poller = polling
                    perform(actions)
                }
            case .readable:
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count < 0, errno == EAGAIN || errno == EINTR { continue }
                if count <= 0 {
                    // EIO on a tty whose adapter was pulled, 0 on a hung-up pty.
                    reader.logger.warning("serial port went away", metadata: ["device": "\(reader.identity)"])
                    handle(decoder.gap())
                    return .vanished
                }
                lastByte = clock.now
                let bytes = Array(buffer[0..<count])
                reader.counters?.record(lineId) { $0.bytesRead += count }
                if reader.watchRaw {
                    // Learn mode: nothing decoded; bytes go out as bursts, one
                    // per stretch of traffic the line's silence (gap) ends.
                    burst += bytes
                    continue
                }
                handle(decoder.feed(bytes))
            }
        }
    }

    private mutating func send(_ frame: [UInt8]) {
        if let failure = SerialPort.write(frame, to: fd) {
            reader.logger.warning("serial write failed", metadata: ["device": "\(reader.identity)", "error": "\(failure)"])
        } else {
            reader.counters?.record(lineId) { $0.framesWritten += 1 }
        }
    }

    private mutating func perform(_ actions: [SerialPoller<ContinuousClock.Instant>.Action]) {
        for action in actions {
            switch action {
            case .poll(let address):
                guard let template = reader.layout.poll?.frame else { continue }
                do {
                    send(try template.render(address: address, checksum: reader.layout.checksum))
                } catch {
                    reader.logger.error("poll frame cannot be rendered", metadata: ["error": "\(error.message)"])
                }
            case .send(let frame): send(frame)
            case .timedOut: reader.counters?.record(lineId) { $0.pollTimeouts += 1 }
            case .online(let address): attach(address)
            case .offline(let address):
                reader.logger.warning("serial keypad stopped answering polls", metadata: ["device": "\(reader.device(address))"])
                detach(address)
            }
        }
    }

    private mutating func attach(_ address: Int) {
        guard attached.insert(address).inserted else { return }
        output(.event(.attached(reader.device(address))))
    }

    private mutating func detach(_ address: Int) {
        guard attached.remove(address) != nil else { return }
        output(.event(.detached(reader.device(address))))
    }

    /// The line is gone or stopping: every address it announced is detached.
    mutating func announceGone() {
        outbox.close()
        for address in attached.sorted() { detach(address) }
    }

    private mutating func handle(_ decoded: [SerialDecoded]) {
        for item in decoded {
            switch item {
            case .frame(let frame):
                reader.counters?.record(lineId) { $0.frames += 1 }
                handle(frame: frame)
            case .garbled(let bytes, let reason):
                reader.counters?.record(lineId) { $0.garbled += 1 }
                problem("\(reason): \(bytes.count) bytes \(Hex.bytes(bytes.prefix(16)))")
            case .badChecksum(let frame):
                reader.counters?.record(lineId) { $0.badChecksum += 1 }
                problem("wrong \(reader.layout.checksum.kind.rawValue) checksum: \(Hex.bytes(frame.prefix(32)))")
            }
        }
    }

    private mutating func handle(frame: [UInt8]) {
        let now = ContinuousClock().now
        let stamp = mapper.stampNow()
        let message = reader.layout.message(for: frame)
        let address: Int? = switch message {
        case .key(let address, _, _), .noKey(let address), .unknownKey(let address, _): address
        case .unreadable: nil
        }
        if let address, bound.contains(address), var polling = poller {
            let actions = polling.answered(by: address, at: now)
            poller = polling
            perform(actions)
        }
        switch message {
        case .unreadable(let reason):
            reader.counters?.record(lineId) { $0.garbled += 1 }
            problem("frame \(Hex.bytes(frame.prefix(32))): \(reason)")
        case .noKey:
            break
        case .unknownKey(let address, let code):
            reader.counters?.record(lineId) { $0.unknownKey += 1 }
            problem("key \(code) from address \(address) has no rating in profile \(reader.profile.name)")
        case .key(let address, _, let rating):
            guard bound.contains(address) else {
                reader.counters?.record(lineId) { $0.unboundAddress += 1 }
                problem("a key from address \(address), which no window is bound to (bind \(reader.identity.at(address: address).deviceId)); ignored")
                return
            }
            reader.counters?.record(lineId) { $0.presses += 1 }
            if poller == nil { attach(address) }
            output(.event(.press(device: reader.device(address), button: rating, at: stamp)))
        }
    }

    private mutating func problem(_ message: String) {
        for event in mapper.problem(message, at: reader.clock.now()) {
            reader.logger.warning("serial input ignored", metadata: ["device": "\(reader.identity.lineId)", "problem": "\(message)"])
            output(.event(event))
        }
    }
}

extension DeviceProfile {
    /// Learn mode on a tty: 9600 8N1, raw bytes only.
    static let rawSerialInputOnly = DeviceProfile(
        name: "(none: raw bytes only)", match: DeviceMatch(), backend: .serial, role: .keypad,
        serial: SerialLayout(framing: .line(maxLength: 1024), key: SerialField(offset: 0), ratings: [:]))
}

extension SerialReader {
    /// Learn mode on one tty at one line setting: raw bursts only, nothing decoded.
    public static func raw(node: String, line: LineSettings, logger: Logger) -> SerialReader {
        var profile = DeviceProfile.rawSerialInputOnly
        profile.serial?.line = line
        let name = (node as NSString).lastPathComponent
        var reader = SerialReader(node: node, profile: profile,
                                  identity: DeviceIdentity(vendorId: 0, productId: 0, name: "serial port \(name)", node: node, ttyName: name),
                                  addresses: [], logger: logger)!
        reader.watchRaw = true
        return reader
    }
}

extension LineSettings {
    /// The settings serial keypads ship with most, tried in turn by `evalctl devices watch --tty … --try-common`.
    public static let common: [LineSettings] = [
        LineSettings(baud: 9600), LineSettings(baud: 19200), LineSettings(baud: 4800), LineSettings(baud: 2400),
        LineSettings(baud: 9600, parity: .even), LineSettings(baud: 38400), LineSettings(baud: 115200),
    ]

    /// `9600 8N1`, `19200-8E1`, `9600`: as printed on a keypad's label.
    public init?(text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "," })
        guard let first = parts.first, let baud = Int(first), Self.supportedBauds.contains(baud) else { return nil }
        self.init(baud: baud)
        guard parts.count > 1 else { return }
        let frame = Array(parts[1].uppercased())
        guard parts.count == 2, frame.count == 3, let bits = Int(String(frame[0])), (5...8).contains(bits),
              let stop = Int(String(frame[2])), (1...2).contains(stop) else { return nil }
        dataBits = bits
        stopBits = stop
        switch frame[1] {
        case "N": parity = .none
        case "E": parity = .even
        case "O": parity = .odd
        default: return nil
        }
    }
}
