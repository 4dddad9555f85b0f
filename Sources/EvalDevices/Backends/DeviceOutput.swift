import EvalCore
import Foundation

/// Raw input as it came off the device, for learn mode.
public enum RawInput: Sendable, Hashable, CustomStringConvertible {
    case key(KeyEvent)
    case report([UInt8])

    public var description: String {
        switch self {
        case .key(let event): "key code=\(event.code) \(event.action)"
        case .report(let bytes): "report \(Hex.bytes(bytes))"
        }
    }
}

/// What a backend hands up: decoded events always, raw input only when someone
/// watches (learn mode), so the normal path does not pay for it.
public enum DeviceOutput: Sendable {
    case event(DeviceEvent)
    case raw(DeviceIdentity, RawInput)
}

public typealias DeviceOutputHandler = @Sendable (DeviceOutput) -> Void

/// Turns decoder output into `DeviceEvent`s for one device: button numbers go
/// through the profile's explicit rating table; discarded input becomes a
/// `.problem`, throttled so a flooding device cannot flood the log.
struct EventMapper {
    let identity: DeviceIdentity
    let profile: DeviceProfile
    let clock: any WallClock
    private var throttle = ProblemThrottle()

    init(identity: DeviceIdentity, profile: DeviceProfile, clock: any WallClock) {
        self.identity = identity
        self.profile = profile
        self.clock = clock
    }

    /// Now on both clocks, read on the reader thread: for input whose
    /// device gives no time of its own (hidraw, the simulated keypad).
    func stampNow() -> InputStamp { .now(wall: clock) }

    /// `decoded` happened at `stamp` (the device's time for it).
    mutating func events(for decoded: [DecodedInput], at stamp: InputStamp) -> [DeviceEvent] {
        var events: [DeviceEvent] = []
        let now = stamp.wall
        for item in decoded {
            switch item {
            case .button(let number):
                if let rating = profile.buttons.rating(forButton: number) {
                    events.append(.press(device: identity, button: rating, at: stamp))
                } else {
                    events += problem("button \(number) has no rating in profile \(profile.name)", at: now)
                }
            case .text(let text):
                events.append(.scan(device: identity, text: text, at: stamp))
            case .discarded(let reason):
                events += problem(reason, at: now)
            }
        }
        return events
    }

    mutating func problem(_ message: String, at now: Date) -> [DeviceEvent] {
        switch throttle.admit(at: now) {
        case .pass(let suppressed):
            let note = suppressed > 0 ? " (\(suppressed) similar problems suppressed)" : ""
            return [.problem(device: identity, message: message + note, hint: nil)]
        case .suppress:
            return []
        }
    }
}

/// At most `burst` problems per `window` seconds per device; the next one
/// admitted says how many were dropped.
struct ProblemThrottle {
    enum Verdict { case pass(suppressed: Int), suppress }
    var burst = 5
    var window: TimeInterval = 10
    private var windowStart: Date?
    private var count = 0
    private var suppressed = 0

    mutating func admit(at now: Date) -> Verdict {
        if let start = windowStart, now.timeIntervalSince(start) < window {
            count += 1
        } else {
            windowStart = now
            count = 1
        }
        if count > burst {
            suppressed += 1
            return .suppress
        }
        defer { suppressed = 0 }
        return .pass(suppressed: suppressed)
    }
}

/// How a node reader (evdev, hidraw) ended, so whoever started it knows
/// whether a `.detached` is still owed.
public enum ReaderEnd: Sendable, Equatable {
    /// Never attached: the node could not be opened or grabbed (a `.problem` said why).
    case failed
    /// The device went away; `.detached` was reported.
    case vanished
    /// Stopped (task cancelled) while attached as this identity; no `.detached` yet.
    case stopped(DeviceIdentity)
}
