import CLibUSB
import EvalCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Reads one keyboard-style keypad or keyboard-wedge scanner through evdev:
/// opens `/dev/input/eventN`, takes an exclusive grab (EVIOCGRAB) so keystrokes
/// do not reach the desktop, and reads `input_event`s on a dedicated thread
/// blocked in poll(). Ends when the device goes away or the task is cancelled.
public struct EvdevReader: Sendable {
    public let node: String
    public let profile: DeviceProfile
    /// Known when the hub found the node through udev; else looked up.
    public let identity: DeviceIdentity?
    public let clock: any WallClock
    public let logger: Logger
    /// Whether to take the exclusive grab (learn mode on a PC keyboard may not want it).
    public var grab: Bool = true
    /// Learn mode on a device no profile matches: raw key events only, no
    /// decoding and no grab (it may be the technician's own keyboard).
    public var rawOnly: Bool = false
    /// Where to offer the profile's prompt outputs (LEDs) while the node is held.
    public var prompts: PromptPorts?

    public init(node: String, profile: DeviceProfile, identity: DeviceIdentity? = nil, clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.node = node
        self.profile = profile
        self.identity = identity
        self.clock = clock
        self.logger = logger
    }

    @discardableResult
    public func run(output: @escaping DeviceOutputHandler) async -> ReaderEnd {
        await runOnDedicatedThread(name: "evdev \(node)") { stop in
            read(stop: stop, output: output)
        }
    }

    /// One prompt output: an LED set (EV_LED + SYN_REPORT written to the node).
    static func write(_ action: OutputAction, to fd: Int32) -> String? {
        guard case .led(let code, let on) = action else { return "an evdev device takes LEDs, not reports" }
        return evald_evdev_set_led(fd, code, on ? 1 : 0) < 0 ? "EV_LED write: \(errnoDescription(errno))" : nil
    }

    /// Identity from udev (properties and the USB parent), else from the
    /// EVIOCG* ioctls on an open descriptor.
    func identify(fd: Int32?) -> DeviceIdentity {
        let eventName = (node as NSString).lastPathComponent
        if let identity { return identity }
        if let found = Udev()?.node(devnode: node)?.identity { return found }
        guard let fd else { return DeviceIdentity(vendorId: 0, productId: 0, name: eventName, node: node) }
        var id = input_id()
        _ = evald_evdev_id(fd, &id)
        let name = ioctlString(fd, evald_evdev_name) ?? eventName
        let uniq = ioctlString(fd, evald_evdev_uniq)
        // phys looks like usb-0000:00:14.0-1.4/input0: the part before /input is the port.
        let phys = ioctlString(fd, evald_evdev_phys).map { String($0.split(separator: "/").first ?? "") }
        return DeviceIdentity(vendorId: id.vendor, productId: id.product, serial: uniq, portPath: phys, name: name, node: node)
    }

    private func read(stop: StopSignal, output: DeviceOutputHandler) -> ReaderEnd {
        let outputs = rawOnly ? nil : profile.outputs
        guard let fd = openDeviceNode(node, kind: "input", writable: outputs != nil && prompts != nil,
                                      identity: { identify(fd: nil) }, logger: logger, output: output) else { return .failed }
        defer { close(fd) }
        let identity = identify(fd: fd)
        let grab = self.grab && !rawOnly
        if grab, evald_evdev_grab(fd, 1) != 0 {
            let code = errno
            logger.error("exclusive grab failed", metadata: ["device": "\(identity)", "error": "\(errnoDescription(code))"])
            output(.event(.problem(device: identity, message: "cannot grab \(node) exclusively: \(errnoDescription(code))",
                                   hint: code == EBUSY ? "another program holds the device; stop it" : nil)))
            return .failed
        }
        defer { if grab { _ = evald_evdev_grab(fd, 0) } }
        // LEDs are written through the grabbing descriptor: with a grab held,
        // the kernel takes injected events from the grabbing client only.
        let port = prompts?.offer(deviceId: identity.deviceId, outputs: outputs) { Self.write($1, to: fd) }
        defer { if let port { prompts?.retire(port) } }
        let eventClock = KernelEventClock(fd: fd)
        logger.info("reading input device", metadata: ["device": "\(identity)", "profile": "\(profile.name)"])
        output(.event(.attached(identity)))

        var decoder = KeyInputDecoder(profile: profile)
        var mapper = EventMapper(identity: identity, profile: profile, clock: clock)
        // Pending scan timeout, on the monotonic clock: (when, event-clock time to flush at).
        var flushAt: (monotonic: Double, eventTime: Double)?
        let batch = 64
        let buffer = UnsafeMutablePointer<input_event>.allocate(capacity: batch)
        defer { buffer.deallocate() }

        while true {
            var timeout: Int32 = -1
            if let flushAt { timeout = Int32(max(0, (flushAt.monotonic - monotonicSeconds()) * 1000).rounded(.up)) }
            switch waitReadable(fd, stop: stop, timeoutMilliseconds: timeout) {
            case .stopped:
                return .stopped(identity)
            case .woken:
                continue
            case .timedOut:
                if let pending = flushAt {
                    // A scan ends with its last keystroke, whenever the timeout noticed.
                    let stamp = decoder.lastKeyTime.map { eventClock.stamp(eventTime: $0, wall: clock) } ?? mapper.stampNow()
                    emit(mapper.events(for: decoder.flush(at: pending.eventTime), at: stamp), identity, output)
                    flushAt = nil
                }
                continue
            case .hangUp:
                vanished(identity, errno: ENODEV, output: output)
                return .vanished
            case .readable:
                break
            }
            let count = Glibc.read(fd, buffer, MemoryLayout<input_event>.stride * batch)
            if count < 0 {
                let code = errno
                if code == EAGAIN || code == EINTR { continue }
                vanished(identity, errno: code, output: output)
                return .vanished
            }
            if count == 0 {
                vanished(identity, errno: ENODEV, output: output)
                return .vanished
            }
            for index in 0..<(count / MemoryLayout<input_event>.stride) {
                let raw = buffer[index]
                if raw.type == UInt16(EV_SYN), raw.code == UInt16(SYN_DROPPED) {
                    // The kernel's buffer overflowed: key state (Shift, a half-typed
                    // scan) is unknown, so start over rather than guess.
                    decoder = KeyInputDecoder(profile: profile)
                    flushAt = nil
                    emit(mapper.problem("input events dropped by the kernel (SYN_DROPPED); partial input discarded", at: clock.now()), identity, output)
                    continue
                }
                guard raw.type == UInt16(EV_KEY), let action = KeyEvent.Action(rawValue: raw.value) else { continue }
                let event = KeyEvent(code: raw.code, action: action,
                                     time: Double(raw.time.tv_sec) + Double(raw.time.tv_usec) / 1e6)
                output(.raw(identity, .key(event)))
                if !rawOnly {
                    emit(mapper.events(for: decoder.feed(event), at: eventClock.stamp(eventTime: event.time, wall: clock)), identity, output)
                }
            }
            if let deadline = decoder.deadline, let lastTime = decoder.lastKeyTime {
                flushAt = (monotonicSeconds() + (deadline - lastTime), deadline + 0.000_001)
            } else {
                flushAt = nil
            }
        }
    }

    private func emit(_ events: [DeviceEvent], _ identity: DeviceIdentity, _ output: DeviceOutputHandler) {
        for event in events {
            if case .problem(_, let message, _) = event {
                logger.warning("bad input ignored", metadata: ["device": "\(identity)", "problem": "\(message)"])
            }
            output(.event(event))
        }
    }

    private func vanished(_ identity: DeviceIdentity, errno code: Int32, output: DeviceOutputHandler) {
        logger.warning("input device went away", metadata: ["device": "\(identity)", "error": "\(errnoDescription(code))"])
        output(.event(.detached(identity)))
    }

    private func ioctlString(_ fd: Int32, _ call: (Int32, UnsafeMutablePointer<CChar>?, Int32) -> Int32) -> String? {
        let capacity = 256
        var buffer = [CChar](repeating: 0, count: capacity)
        guard call(fd, &buffer, Int32(capacity)) >= 0 else { return nil }
        let text = String(cString: buffer)
        return text.isEmpty ? nil : text
    }
}

/// The key decoder a profile calls for: keypad (key → button) or scanner (keys → text).
struct KeyInputDecoder: Sendable {
    private var keypad: KeypadKeyDecoder?
    private var scanner: KeystrokeDecoder?

    init(profile: DeviceProfile) {
        switch profile.role {
        case .keypad: keypad = KeypadKeyDecoder(keys: profile.keys ?? [], ignoreModifiedKeys: profile.ignoreModifiedKeys)
        case .scanner: scanner = KeystrokeDecoder(settings: profile.scan ?? ScanSettings())
        }
    }

    mutating func feed(_ event: KeyEvent) -> [DecodedInput] {
        if keypad != nil { return keypad!.feed(event) }
        return scanner?.feed(event) ?? []
    }

    mutating func flush(at time: Double) -> [DecodedInput] { scanner?.flush(at: time) ?? [] }

    var deadline: Double? { scanner?.deadline }
    var lastKeyTime: Double? { scanner?.lastKeyTimeValue }
}
