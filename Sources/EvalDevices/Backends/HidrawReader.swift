import CLibUSB
import EvalCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Reads vendor-defined reports from `/dev/hidrawN`: each read() returns one
/// whole report, decoded through the profile's `ReportLayout`.
public struct HidrawReader: Sendable {
    public let node: String
    public let profile: DeviceProfile
    /// Known when the hub found the node through udev; else looked up.
    public let identity: DeviceIdentity?
    public let clock: any WallClock
    public let logger: Logger
    /// Learn mode on a device no profile matches: raw reports only.
    public var rawOnly: Bool = false
    /// Where to offer the profile's prompt outputs while the node is held.
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
        await runOnDedicatedThread(name: "hidraw \(node)") { stop in
            read(stop: stop, output: output)
        }
    }

    func identify(fd: Int32?) -> DeviceIdentity {
        let name = (node as NSString).lastPathComponent
        if let identity { return identity }
        if let found = Udev()?.node(devnode: node)?.identity { return found }
        var info = hidraw_devinfo()
        if let fd, evald_hidraw_info(fd, &info) == 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            let product = evald_hidraw_name(fd, &buffer, 256) >= 0 ? String(cString: buffer) : name
            return DeviceIdentity(vendorId: UInt16(truncatingIfNeeded: info.vendor), productId: UInt16(truncatingIfNeeded: info.product), name: product, node: node)
        }
        return DeviceIdentity(vendorId: 0, productId: 0, name: name, node: node)
    }

    private func read(stop: StopSignal, output: DeviceOutputHandler) -> ReaderEnd {
        let outputs = rawOnly ? nil : profile.outputs
        guard let fd = openDeviceNode(node, kind: "hidraw", writable: outputs != nil && prompts != nil,
                                      identity: { identify(fd: nil) }, logger: logger, output: output) else { return .failed }
        defer { close(fd) }
        let identity = identify(fd: fd)
        let port = prompts?.offer(deviceId: identity.deviceId, outputs: outputs) { Self.write($1, to: fd) }
        // Before the close above: no prompt write can meet a closed descriptor.
        defer { if let port { prompts?.retire(port) } }
        let layout = profile.report
        if layout == nil, !rawOnly {
            output(.event(.problem(device: identity, message: "profile \(profile.name) has no report layout", hint: nil)))
            return .failed
        }
        logger.info("reading hidraw device", metadata: ["device": "\(identity)", "profile": "\(profile.name)"])
        output(.event(.attached(identity)))
        var decoder = layout.map { ReportDecoder(layout: $0) }
        var mapper = EventMapper(identity: identity, profile: profile, clock: clock)
        let capacity = 4096
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            switch waitReadable(fd, stop: stop, timeoutMilliseconds: -1) {
            case .stopped: return .stopped(identity)
            case .timedOut, .woken: continue
            case .hangUp:
                logger.warning("hidraw device went away", metadata: ["device": "\(identity)"])
                output(.event(.detached(identity)))
                return .vanished
            case .readable: break
            }
            let count = Glibc.read(fd, &buffer, capacity)
            if count < 0 {
                let code = errno
                if code == EAGAIN || code == EINTR { continue }
                logger.warning("hidraw device went away", metadata: ["device": "\(identity)", "error": "\(errnoDescription(code))"])
                output(.event(.detached(identity)))
                return .vanished
            }
            if count == 0 {
                output(.event(.detached(identity)))
                return .vanished
            }
            // hidraw gives a report no time of its own: it happened when read.
            let stamp = mapper.stampNow()
            for report in Self.split(Array(buffer[0..<count]), length: layout?.length) {
                output(.raw(identity, .report(report)))
                guard !rawOnly, decoder != nil else { continue }
                for event in mapper.events(for: decoder!.feed(report), at: stamp) {
                    if case .problem(_, let message, _) = event {
                        logger.warning("bad report ignored", metadata: ["device": "\(identity)", "problem": "\(message)"])
                    }
                    output(.event(event))
                }
            }
        }
    }

    /// One prompt output on the node: an output report is a write(), a
    /// feature report HIDIOCSFEATURE. Returns why it failed, nil when sent.
    static func write(_ action: OutputAction, to fd: Int32) -> String? {
        switch action {
        case .outputReport(let bytes):
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written == bytes.count { return nil }
            return written < 0 ? "write: \(errnoDescription(errno))" : "write: \(written) of \(bytes.count) bytes"
        case .featureReport(let bytes):
            return evald_hidraw_set_feature(fd, bytes, Int32(bytes.count)) < 0 ? "HIDIOCSFEATURE: \(errnoDescription(errno))" : nil
        case .led:
            return "an LED is set through evdev, not hidraw"
        }
    }

    /// hidraw returns one report per read(); a stream that merged several
    /// (umockdev's script replay does) is split when the layout fixes the length.
    static func split(_ bytes: [UInt8], length: Int?) -> [[UInt8]] {
        guard let length, length > 0, bytes.count > length, bytes.count % length == 0 else { return [bytes] }
        return stride(from: 0, to: bytes.count, by: length).map { Array(bytes[$0..<($0 + length)]) }
    }
}
