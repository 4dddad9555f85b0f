import ArgumentParser
import EvalCore
import EvalDevices
import EvalOperator
import Foundation
import Logging

struct DevicesLearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Profile an unknown keypad: press 非常满意 … 非常不满意 in turn; writes a draft profiles.d/<vid>-<pid>.json and prints its udev rule.",
        discussion: """
        Stop evald first (systemctl stop evald): it holds its devices. The device is read raw and not grabbed.
        Prompts are printed one per line and only the device is read (never the terminal), so the verb can be scripted.
        Check the draft afterwards with `evald-device-probe hub --profiles DIR` (each press one line, the right rating).
        """
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "deviceId, node (/dev/hidraw0) or VID:PID, as `evalctl devices` lists them.")
    var device: String
    @Option(help: "Write the draft into this directory instead of [devices] profile_dir.")
    var output: String?
    @Flag(help: "Replace a draft file that exists already.")
    var force = false
    @Option(help: "Give up (exit 2) when the five presses have not come after this many seconds.")
    var timeout: Double = 300

    func run() async throws {
        let context = try options.context()
        let configuration = context.configuration
        if case .running(let pid, _) = context.daemon() {
            Self.warn("note: evald (pid \(pid.map(String.init) ?? "?")) is running; a device it holds may show nothing here")
        }
        let profiles = configuration.deviceProfiles()
        let target: LearnTarget
        switch configuration.deviceInventory(catalog: profiles.catalog).learnTarget(device) {
        case .success(let found): target = found
        case .failure(let error): throw Failure(error.message)
        }
        let directory = output ?? configuration.devices.profileDirectory
        let identity = target.entry.identity
        let path = (directory as NSString).appendingPathComponent("\(identity.vidPid.replacingOccurrences(of: ":", with: "-")).json")
        if FileManager.default.fileExists(atPath: path), !force {
            throw Failure("\(path) exists: pass --force to replace it, or --output another directory")
        }
        Self.say("learning \(identity.deviceId) \(identity.vidPid) \"\(identity.name)\" through \(target.entry.kind.rawValue) \(identity.node ?? "-")")
        if let profile = target.entry.profile { Self.say("note: profile \(profile) matches it now; the draft is more specific for this VID:PID") }

        var logger = Logger(label: "evalctl.devices")
        logger.logLevel = .warning
        let learner = target.learner()
        Self.say(Self.line(learner.start()))
        let input = target.rawInput(logger: logger)
        let reading = Task { try await Self.learn(learner, from: input) }
        let timeout = self.timeout
        let timer = Task {
            try await Task.sleep(for: .seconds(timeout))
            reading.cancel()
        }
        defer { timer.cancel() }
        let (learnt, heard) = try await reading.value
        guard let profile = learnt else {
            Self.warn("gave up after \(heard) of 5 buttons (timeout \(timeout) s, or the device stopped)")
            throw ExitCode(2)
        }
        try write(profile, to: path, directory: directory)
        Self.say("wrote \(path) (profile \(profile.name))")
        if let rule = UdevRules.rule(for: profile) {
            Self.say("udev rule (install all rules with: evalctl udev-rules --profiles \(directory) > /etc/udev/rules.d/70-evald.rules):")
            Self.say(UdevRules.comment(for: profile))
            Self.say(rule)
        }
    }

    /// Written as the loader reads it, then loaded back: a draft the agent would skip is an error here.
    private func write(_ profile: DeviceProfile, to path: String, directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try encoder.encode(profile).write(to: URL(fileURLWithPath: path), options: .atomic)
        let loaded = ProfileCatalog.load(directory: directory)
        let mine = loaded.problems.filter { $0.hasPrefix(path) }
        guard mine.isEmpty else { throw Failure("the draft does not load: " + mine.joined(separator: "; ")) }
    }

    /// Feeds the device's raw input to the learner, printing each step, until
    /// the draft is done (or the input ends: cancelled by the timeout).
    static func learn(_ start: ProfileLearner, from input: AsyncStream<DeviceOutput>) async throws -> (DeviceProfile?, Int) {
        var learner = start
        for await item in input {
            switch item {
            case .raw(_, let raw):
                for step in learner.feed(raw) {
                    switch step {
                    case .finished(let profile): return (profile, learner.learnt)
                    case .failed(let reason): throw Failure("cannot draft a profile: \(reason)")
                    default: say(line(step))
                    }
                }
            case .event(.problem(_, let message, let hint)):
                warn("problem: \(message)\(hint.map { " (hint: \($0))" } ?? "")")
            case .event(.detached(let device)):
                throw Failure("\(device.deviceId) went away after \(learner.learnt) of 5 buttons")
            case .event:
                continue
            }
        }
        return (nil, learner.learnt)
    }

    static func line(_ step: ProfileLearner.Step) -> String {
        switch step {
        case .prompt(let button, let rating): "press \(rating.chineseName) (button \(button) of 5), then release it"
        case .heard(let button, let input): "  button \(button): \(input)"
        case .ignored(let reason): "  ignored: \(reason)"
        case .finished(let profile): "learnt \(profile.name)"
        case .failed(let reason): "failed: \(reason)"
        }
    }

    static func say(_ line: String) {
        print(TerminalText.escaped(line))
        fflush(nil)
    }

    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
