import EvalCore

/// Who talks when on a polled line. Pure: it returns actions and is driven
/// by the instants its caller passes in (a test's clock, the reader's
/// monotonic clock), never sleeping or reading a clock of its own.
///
/// RS-485 is half duplex and the keypads only answer: one poll is in flight
/// at a time, each bound address in turn; an unanswered poll ends after the
/// timeout, and the next round starts `interval` after the last began. A
/// prompt frame waits for the bus to be free (sent at once when it is).
/// `offlineAfter` unanswered polls in a row make an answering address
/// offline; its first answer makes it online again.
public struct SerialPoller<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public enum Action: Sendable, Hashable {
        /// Write the poll frame for this address.
        case poll(address: Int)
        /// Write this (prompt) frame now.
        case send([UInt8])
        /// A poll went unanswered.
        case timedOut(address: Int)
        case online(address: Int)
        case offline(address: Int)
    }

    public let addresses: [Int]
    public let interval: Duration
    public let timeout: Duration
    public let offlineAfter: Int

    private var roundStart: Instant?
    private var nextRound: Instant?
    private var index = 0
    private var awaiting: (address: Int, deadline: Instant)?
    private var outbox: [[UInt8]] = []
    private var misses: [Int: Int] = [:]
    private var online: Set<Int> = []

    public init(addresses: [Int], interval: Duration, timeout: Duration, offlineAfter: Int) {
        self.addresses = Array(Set(addresses)).sorted()
        self.interval = interval
        self.timeout = timeout
        self.offlineAfter = max(1, offlineAfter)
    }

    public init(addresses: [Int], settings: PollSettings) {
        self.init(addresses: addresses, interval: .milliseconds(settings.intervalMilliseconds),
                  timeout: .milliseconds(settings.timeoutMilliseconds), offlineAfter: settings.offlineAfter)
    }

    /// Addresses that answer now.
    public var onlineAddresses: Set<Int> { online }

    /// When `tick` must run next (nil: nothing to wait for — also when no
    /// address is bound: a line nobody polls must not spin on a due round).
    public var nextDeadline: Instant? { addresses.isEmpty ? nil : awaiting?.deadline ?? nextRound }

    /// The first round starts now.
    public mutating func start(at now: Instant) -> [Action] {
        nextRound = now
        return tick(at: now)
    }

    /// Time passed: a poll may have timed out, a round may be due.
    public mutating func tick(at now: Instant) -> [Action] {
        var actions: [Action] = []
        if let waiting = awaiting, now >= waiting.deadline {
            awaiting = nil
            actions.append(.timedOut(address: waiting.address))
            let missed = misses[waiting.address, default: 0] + 1
            misses[waiting.address] = missed
            if missed >= offlineAfter, online.remove(waiting.address) != nil { actions.append(.offline(address: waiting.address)) }
            actions += advance(at: now)
        }
        if awaiting == nil, let due = nextRound, now >= due, !addresses.isEmpty {
            roundStart = now
            nextRound = nil
            index = 0
            actions += flushOutbox()
            actions += pollCurrent(at: now)
        }
        return actions
    }

    /// A frame from `address` arrived (an answer, with or without a key).
    public mutating func answered(by address: Int, at now: Instant) -> [Action] {
        var actions: [Action] = []
        misses[address] = 0
        if addresses.contains(address), online.insert(address).inserted { actions.append(.online(address: address)) }
        if let waiting = awaiting, waiting.address == address {
            awaiting = nil
            actions += advance(at: now)
        }
        return actions
    }

    /// A prompt frame: sent now if the bus is free, else after the answer in flight.
    public mutating func enqueue(_ frame: [UInt8]) -> [Action] {
        if awaiting == nil { return [.send(frame)] }
        outbox.append(frame)
        return []
    }

    /// The line went away: every address is offline, nothing is in flight.
    public mutating func stop() -> [Action] {
        let gone = online.sorted().map { Action.offline(address: $0) }
        online.removeAll()
        awaiting = nil
        nextRound = nil
        outbox.removeAll()
        misses.removeAll()
        return gone
    }

    private mutating func advance(at now: Instant) -> [Action] {
        var actions = flushOutbox()
        index += 1
        if index < addresses.count {
            actions += pollCurrent(at: now)
        } else {
            let due = (roundStart ?? now).advanced(by: interval)
            nextRound = due > now ? due : now
            if nextRound == now { actions += tick(at: now) }
        }
        return actions
    }

    private mutating func pollCurrent(at now: Instant) -> [Action] {
        let address = addresses[index]
        awaiting = (address, now.advanced(by: timeout))
        return [.poll(address: address)]
    }

    private mutating func flushOutbox() -> [Action] {
        defer { outbox.removeAll() }
        return outbox.map { .send($0) }
    }
}

/// What one frame says, per the profile's fields and key map.
public enum SerialMessage: Sendable, Hashable {
    case key(address: Int, code: Int, rating: Rating)
    /// A polled device's answer: no key pressed.
    case noKey(address: Int)
    /// A key the profile maps to no rating (counted, never a press).
    case unknownKey(address: Int, code: Int)
    /// The frame lacks a field the profile needs (an ASCII field with no digits …).
    case unreadable(String)
}

extension SerialLayout {
    public func message(for frame: [UInt8]) -> SerialMessage {
        let address: Int
        if let field = self.address {
            guard let value = field.read(frame) else { return .unreadable("no address at offset \(field.offset)") }
            address = value
        } else {
            address = 0
        }
        guard let code = key.read(frame) else { return .unreadable("no key at offset \(key.offset)") }
        if let noKey, code == noKey { return .noKey(address: address) }
        guard let rating = ratings[code] else { return .unknownKey(address: address, code: code) }
        return .key(address: address, code: code, rating: rating)
    }

    /// The bytes of `output` for `address`, its text (or `text`) encoded as the device expects.
    public func render(_ output: SerialOutput, address: Int, text: String? = nil) throws(FrameTemplate.TemplateError) -> [UInt8] {
        let words = text ?? output.text ?? ""
        guard let encoded = TextEncoder(encoding: textEncoding)?.encode(words) else {
            throw FrameTemplate.TemplateError(message: "text cannot be written in \(textEncoding)")
        }
        var adjust = 0
        if case .headerLength(_, _, let lengthAdjust) = framing { adjust = lengthAdjust }
        return try output.frame.render(address: address, text: encoded, checksum: checksum, lengthAdjust: adjust)
    }
}
