import ArgumentParser
import EvalCore
import EvalDevices
import Foundation
import Logging
import Synchronization

/// Runs one real device backend and prints each decoded event as a line:
/// the harness for the umockdev tests, and a technician's quick check.
@main
struct DeviceProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evald-device-probe",
        abstract: "Read a keypad or scanner with evald's real backends and print decoded events, one per line.",
        subcommands: [Evdev.self, Hidraw.self, LibUSB.self, Serial.self, Simulated.self, Hub.self, List.self, Rules.self]
    )
}

struct ProbeOptions: ParsableArguments {
    @Option(help: "Directory of profile JSON files added to the built-ins.")
    var profiles: String?
    @Option(help: "Stop after this many event lines (with --raw, raw lines count too).")
    var count: Int?
    @Option(help: "Give up (exit 2) after this many seconds.")
    var timeout: Double = 30
    @Flag(help: "Print scanned text in clear (it may hold personal data).")
    var revealScans = false
    @Flag(help: "Also print raw key events / reports (learn mode).")
    var raw = false
    @Option(help: "Send this prompt (invite, thanks, timeout) to each device as it attaches, through its profile's outputs; prints one line.")
    var prompt: CounterPrompt?

    /// Where the backends offer their devices' outputs (for --prompt).
    static let promptPorts = PromptPorts()

    func catalog() -> ProfileCatalog {
        guard let profiles else { return .builtIn }
        let result = ProfileCatalog.load(directory: profiles)
        for problem in result.problems { FileHandle.standardError.write(Data("profile problem: \(problem)\n".utf8)) }
        return result.catalog
    }

    func profile(named name: String) throws -> DeviceProfile {
        guard let profile = catalog().profile(named: name) else { throw ValidationError("no profile named \(name)") }
        return profile
    }

    var logger: Logger {
        var logger = Logger(label: "evald.devices") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .info
        return logger
    }

    /// Runs `backend`, printing outputs until `count` event lines or the timeout.
    func drive(_ backend: @escaping @Sendable (@escaping DeviceOutputHandler) async -> Void) async throws {
        let (stream, continuation) = AsyncStream<DeviceOutput>.makeStream()
        let reader = Task {
            await backend { continuation.yield($0) }
            continuation.finish()
        }
        let timeout = self.timeout
        let timedOut = TimeoutFlag()
        let timer = Task {
            try await Task.sleep(for: .seconds(timeout))
            timedOut.set()
            continuation.finish()
        }
        var printed = 0
        var reachedCount = false
        for await output in stream {
            let line: String
            switch output {
            case .raw(let device, let input):
                guard raw else { continue }
                line = "raw \(device.deviceId) \(input)"
            case .event(.scan(let device, let text, _)) where revealScans:
                line = "scan \(device.deviceId) \(text)"
            case .event(let event):
                line = event.description
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            if case .event = output { printed += 1 } else if raw { printed += 1 }
            if let prompt, case .event(.attached(let device)) = output {
                let outcome = switch await Self.promptPorts.send(prompt, to: device.deviceId) {
                case .success(let action): "sent \(action)"
                case .failure(let failure): "failed: \(failure)"
                }
                FileHandle.standardOutput.write(Data("prompt \(prompt.rawValue) \(device.deviceId) \(outcome)\n".utf8))
                printed += 1
            }
            if let count, printed >= count {
                reachedCount = true
                break
            }
        }
        reader.cancel()
        timer.cancel()
        await reader.value
        if let count, !reachedCount {
            FileHandle.standardError.write(Data("timed out or ended after \(printed) of \(count) events\n".utf8))
            throw ExitCode(2)
        }
        // The help promises exit 2 on the timeout, with or without --count.
        if !reachedCount, timedOut.isSet {
            FileHandle.standardError.write(Data("timed out after \(timeout) s\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Set once by the timeout task, read after the stream ends.
final class TimeoutFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

struct Evdev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read /dev/input/eventN with an exclusive grab.")
    @Argument var node: String
    @Option(help: "Profile name.") var profile: String
    @Flag(help: "Do not take the exclusive grab.") var noGrab = false
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        var reader = EvdevReader(node: node, profile: try options.profile(named: profile), logger: options.logger)
        reader.grab = !noGrab
        reader.prompts = ProbeOptions.promptPorts
        let configured = reader
        try await options.drive { await configured.run(output: $0) }
    }
}

struct Hidraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read vendor reports from /dev/hidrawN.")
    @Argument var node: String
    @Option(help: "Profile name.") var profile: String
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        var reader = HidrawReader(node: node, profile: try options.profile(named: profile), logger: options.logger)
        reader.prompts = ProbeOptions.promptPorts
        let configured = reader
        try await options.drive { await configured.run(output: $0) }
    }
}

struct LibUSB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "libusb", abstract: "Enumerate USB, open keypads whose profile uses libusb, read interrupt reports.")
    @Flag(help: "Rescan the bus instead of using hotplug callbacks.") var rescan = false
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        // --raw is learn mode: devices no profile matches show their reports too.
        let backend = LibUSBBackend(catalog: options.catalog(), logger: options.logger,
                                    rescanInterval: 1, disableHotplug: rescan, learn: options.raw ? .devicesWithoutDriver : .off,
                                    prompts: ProbeOptions.promptPorts)
        try await options.drive { await backend.run(output: $0) }
    }
}

struct Serial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a serial evaluator line (/dev/ttyUSB0, /dev/ttyS1) with a serial profile; each bus address is a device `<line>@<address>`.")
    @Argument var node: String
    @Option(help: "Profile name (backend serial).") var profile: String
    @Option(help: "Bus address to read, poll and prompt (repeatable; default 1).") var address: [Int] = []
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        let profile = try options.profile(named: profile)
        guard var reader = SerialReader(node: node, profile: profile, identity: .serialPort(node),
                                        addresses: address.isEmpty ? [1] : address, logger: options.logger) else {
            throw ValidationError("profile \(profile.name) is not a serial profile")
        }
        reader.prompts = ProbeOptions.promptPorts
        reader.watchRaw = options.raw
        let configured = reader
        try await options.drive { await configured.run(output: $0) }
    }
}

struct Simulated: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Read `press <1-5>` / `scan <text>` lines from a FIFO or stdin (-).")
    @Argument var path: String
    @Option var deviceId = "simulated-keypad"
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        let keypad = SimulatedKeypad(path: path, deviceId: deviceId, logger: options.logger)
        try await options.drive { await keypad.run(output: $0) }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List attached HID devices and serial evaluator lines (learn mode inventory).")
    @Option(help: "A serial port not found by VID:PID, as PATH=PROFILE (repeatable).") var serialPort: [String] = []
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        let ports = serialPort.compactMap { text -> SerialPortSource? in
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return SerialPortSource(path: String(text[..<equals]), profile: String(text[text.index(after: equals)...]))
        }
        let inventory = DeviceInventory(catalog: options.catalog(), serialPorts: ports)
        for entry in inventory.scan() { print(entry.description) }
    }
}

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "udev-rules", abstract: "Print udev rules generated from the profile table.")
    @Option(help: "Directory of profile JSON files added to the built-ins (omit for the committed file).")
    var profiles: String?

    func run() throws {
        let catalog = profiles.map { ProfileCatalog.load(directory: $0).catalog } ?? .builtIn
        print(UdevRules.render(catalog.profiles), terminator: "")
    }
}

struct Hub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every backend the profiles call for (what evald runs) and print all devices' events.")
    @Option(help: "Simulated keypad FIFO (repeatable).") var simulated: [String] = []
    @Flag(help: "Leave libusb out.") var noLibusb = false
    @Flag(help: "Learn mode: also read evdev/hidraw nodes no profile matches, raw only (use with --raw).") var learn = false
    @OptionGroup var options: ProbeOptions

    func run() async throws {
        let hub = DeviceHub(configuration: .init(catalog: options.catalog(),
                                                 simulatedKeypads: simulated.map { SimulatedKeypadSource(path: $0) }, useLibUSB: !noLibusb,
                                                 learn: learn),
                            logger: options.logger)
        try await options.drive { await hub.run(output: $0) }
    }
}
extension CounterPrompt: ExpressibleByArgument {}
