import ArgumentParser
import EvalAgent
import EvalOperator
import EvalUplink
import EvalctlCommands
import Foundation
import Logging

/// The entry point: parses the arguments glibc gave the process, not the
/// Swift runtime's reconstruction of them (lost under libfaketime or without
/// /proc; see `ProcessArguments`).
///
/// One binary, two commands: started as `evalctl` (the package's
/// /usr/bin/evalctl is a link to evald) it is the operator's tool. Each Swift
/// executable carries its own static runtime (about 70 MB, most of it ICU
/// data), so shipping one halves the package.
@main
enum EvaldMain {
    static func main() async {
        let name = ProcessArguments.all.first.map { ($0 as NSString).lastPathComponent }
        if name == "evalctl" {
            await Evalctl.run(arguments: ProcessArguments.forParsing, selfTestTransport: { try HTTPUplinkTransport(configuration: $0) })
        } else {
            await Evald.main(ProcessArguments.forParsing)
        }
    }
}

/// evald: the counter-evaluator agent. Usually started by systemd
/// (`systemctl start evald`); by hand for commissioning and the demo.
struct Evald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evald",
        abstract: "Counter evaluator agent for the government-service 好差评 system.",
        discussion: """
        Reads keypads and scanners, applies the counter rules (one service, one evaluation;
        default 基本满意 after 5 working days), keeps every evaluation in a crash-safe queue
        and forwards it to the provincial platform.

        Signals: SIGTERM/SIGINT finish in-flight work and exit; SIGHUP reloads window
        bindings, device profiles and scan rules.
        """,
        version: EvaldVersion.current
    )

    @Option(name: .shortAndLong, help: "Configuration file (TOML).")
    var config: String = AgentConfiguration.defaultPath

    @Flag(name: .long, help: "Validate the configuration, explain every problem with its location, and exit (non-zero on errors).")
    var checkConfig = false

    @Option(name: .long, help: "Override [agent] log_level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String?

    func run() async throws {
        var check = ConfigurationLoader.load(path: config)
        // The secret is part of a configuration that can run: missing or
        // empty, evald would only fail later (and systemd restart it in a loop).
        if let platform = check.configuration?.platform, let problem = AppSecretSource(platform: platform).issue() {
            check.issues.append(problem)
        }
        // So is the code key, when signed scan rules need one.
        if let file = check.configuration?.sessions.codeKeyFile, let problem = CodeKeySource(path: file).issue() {
            check.issues.append(problem)
        }
        // And the reason table the counter API checks evalDetail codes against.
        if let configuration = check.configuration { check.issues += configuration.reasonIssues() }
        if checkConfig {
            if let configuration = check.configuration { check.issues += configuration.deviceIssues(profiles: configuration.deviceProfiles()) }
            for issue in check.issues { print("\(config): \(issue)") }
            if check.errors.isEmpty {
                print("\(config): OK (\(check.configuration?.windows.count ?? 0) window(s), \(check.warnings.count) warning(s))")
                return
            }
            print("\(config): \(check.errors.count) error(s); evald would refuse to start")
            throw ExitCode(1)
        }

        var configuration: AgentConfiguration
        do {
            configuration = try check.get()
        } catch {
            JournaldLogHandler.writeEarly(level: .error, label: "evald", "\(error)")
            throw ExitCode(78)  // EX_CONFIG: systemd shows it as a configuration failure; the unit does not restart
        }
        // From a shell, read the same file the unit would pass as the credential.
        let secret = AppSecretSource(platform: configuration.platform)
        if case .credentialSource = secret.kind { configuration.platform.appSecretFile = secret.path }

        let level = logLevel.flatMap { LogLevelName(rawValue: $0.lowercased()) } ?? configuration.agent.logLevel
        JournaldLogHandler.bootstrap(level: level.loggerLevel)
        let logger = Logger(label: "evald")
        for warning in check.warnings { logger.warning("\(config): \(warning)") }

        do {
            try await Daemon(configuration: configuration, logger: logger).run()
        } catch let error as InstanceLock.HeldElsewhere {
            logger.error("\(error)")
            throw ExitCode(75)  // EX_TEMPFAIL
        } catch {
            logger.critical("evald failed: \(error)")
            throw ExitCode(1)
        }
    }
}
