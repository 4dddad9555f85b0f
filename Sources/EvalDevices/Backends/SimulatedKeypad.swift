import EvalCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The demo's device and the end-to-end tests' keypad: reads lines
/// `press <1-5>` (the satisfaction code: 5 = 非常满意 … 1 = 非常不满意, *not* a
/// button position) and `scan <text>` from a named pipe — reopened whenever the
/// writer closes it — or from stdin (`-`). Bad lines are logged and reported
/// as `.problem`, never turned into a rating.
///
/// A line may start with the device's own time, `@<seconds since boot>`
/// (`CLOCK_BOOTTIME`, e.g. `@1234.567 press 5`), as a real keypad's events
/// carry theirs: the input is then stamped when it was written, however
/// late the reader got to it. Without it, a line is stamped when read.
///
/// It shows the session's prompts as a keypad with a display would: a log
/// line with the words (its outputs are output reports `00 01`, `00 02`,
/// `00 03`, so the same path as a real device's runs).
public struct SimulatedKeypad: Sendable {
    public let path: String
    public let identity: DeviceIdentity
    public let clock: any WallClock
    public let logger: Logger
    /// Where it offers its prompt outputs while it runs.
    public var prompts: PromptPorts?

    public static let outputs = PromptOutputs(invite: .outputReport([0, 1]), thanks: .outputReport([0, 2]), timeout: .outputReport([0, 3]),
                                              reason: .outputReport([0, 4]))

    /// What a keypad with a display shows for each prompt.
    public static func words(_ prompt: CounterPrompt) -> String {
        switch prompt {
        case .invite: "请您对本次服务做出评价"
        case .thanks: "感谢您的评价"
        case .timeout: "评价超时"
        case .reason: "请按键选择不满意的原因"
        }
    }

    public init(path: String, deviceId: String = "simulated-keypad", clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.path = path
        identity = DeviceIdentity(vendorId: 0, productId: 0, serial: deviceId, name: "simulated keypad", node: path)
        self.clock = clock
        self.logger = logger
    }

    /// `@<seconds> rest` → (seconds, rest); any other line → (nil, line).
    public static func splitDeviceTime(_ line: String) -> (Double?, String) {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.first == "@", let space = trimmed.firstIndex(of: " "),
              let seconds = Double(trimmed[trimmed.index(after: trimmed.startIndex)..<space]) else { return (nil, line) }
        return (seconds, String(trimmed[trimmed.index(after: space)...]))
    }

    /// One line → event, or a reason it is not one. Pure, for tests.
    public static func parse(_ line: String) -> Result<SimulatedInput, SimulatedLineError> {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return .success(.nothing) }
        let parts = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
        switch (parts[0], parts.count > 1 ? parts[1] : nil) {
        case ("press", let argument?):
            guard let code = Int(argument.trimmingCharacters(in: .whitespaces)), let rating = Rating(rawValue: code) else {
                return .failure(SimulatedLineError(message: "press needs 1…5 (5 = 非常满意), got \"\(argument)\""))
            }
            return .success(.press(rating))
        case ("scan", let text?) where !text.isEmpty:
            return .success(.scan(text))
        default:
            return .failure(SimulatedLineError(message: "expected \"press <1-5>\" or \"scan <text>\", got \"\(Masking.mask(trimmed))\""))
        }
    }

    public func run(output: @escaping DeviceOutputHandler) async {
        let (identity, logger) = (self.identity, self.logger)
        let port = prompts?.offer(deviceId: identity.deviceId, outputs: Self.outputs) { prompt, _ in
            logger.notice("simulated keypad \(identity.deviceId) shows: \(Self.words(prompt)) (\(prompt.rawValue))")
            return nil
        }
        defer { if let port { prompts?.retire(port) } }
        await runOnDedicatedThread(name: "simulated keypad \(path)") { stop in
            output(.event(.attached(identity)))
            read(stop: stop, output: output)
            output(.event(.detached(identity)))
        }
    }

    private func read(stop: StopSignal, output: DeviceOutputHandler) {
        let fromStdin = path == "-"
        var pending = Data()
        while !stop.isFired {
            let fd = fromStdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else {
                let code = errno
                logger.error("cannot open simulated keypad", metadata: ["path": "\(path)", "error": "\(errnoDescription(code))"])
                output(.event(.problem(device: identity, message: "cannot open \(path): \(errnoDescription(code))",
                                       hint: code == EACCES ? DeviceHint.permission : nil)))
                return
            }
            defer { close(fd) }
            let capacity = 4096
            var buffer = [UInt8](repeating: 0, count: capacity)
            reading: while true {
                switch waitReadable(fd, stop: stop, timeoutMilliseconds: -1) {
                case .stopped: return
                case .timedOut, .woken: continue reading
                case .readable, .hangUp: break
                }
                let count = Glibc.read(fd, &buffer, capacity)
                if count < 0, errno == EAGAIN || errno == EINTR { continue }
                if count <= 0 { break reading }  // writer closed: reopen (FIFO) or stop (stdin)
                let read = InputStamp.now(wall: clock)
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    let (deviceTime, rest) = Self.splitDeviceTime(line)
                    let stamp = deviceTime.map { KernelEventClock.stamp(eventTime: $0, eventClockNow: read.boot.seconds, now: read) } ?? read
                    handle(rest, at: stamp, output: output)
                }
            }
            if !pending.isEmpty {
                handle(String(decoding: pending, as: UTF8.self), at: .now(wall: clock), output: output)
                pending.removeAll()
            }
            if fromStdin { return }
        }
    }

    private func handle(_ line: String, at stamp: InputStamp, output: DeviceOutputHandler) {
        switch Self.parse(line) {
        case .success(.nothing): break
        case .success(.press(let rating)): output(.event(.press(device: identity, button: rating, at: stamp)))
        case .success(.scan(let text)): output(.event(.scan(device: identity, text: text, at: stamp)))
        case .failure(let error):
            logger.warning("bad simulated keypad line ignored", metadata: ["device": "\(identity.deviceId)", "problem": "\(error.message)"])
            output(.event(.problem(device: identity, message: error.message, hint: nil)))
        }
    }
}

public enum SimulatedInput: Sendable, Equatable {
    case nothing
    case press(Rating)
    case scan(String)
}

public struct SimulatedLineError: Error, Sendable, Equatable {
    public let message: String
}
