import ArgumentParser
import EvalOperator
import Foundation

struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check the way to the platform: secret, name resolution, TCP, TLS and credentials, without sending an evaluation.",
        discussion: """
        The credentials are checked with two requests that carry no evaluation (evald-json/1): \
        an authenticated one with an empty batch, which the platform answers 400, and one with a \
        deliberately wrong signature, which it answers 401. No rating reaches any window's statistics.

        --send-test-evaluation also sends one real test evaluation (非常满意, device \
        'evalctl-selftest', the first window's codes): it counts in that window's official \
        statistics unless the platform discards it, so it asks first (--yes in scripts).

        The secret is read exactly as evald reads it: [platform] app_secret_file, else the \
        systemd credential (from a shell: /etc/evald/app-secret, which the unit passes as the \
        credential). Reading it needs root (sudo).
        """
    )

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Machine-readable output.")
    var json = false
    @Flag(help: "After the checks, also send one real test evaluation to the platform (asks first).")
    var sendTestEvaluation = false
    @Flag(help: "With --send-test-evaluation: do not ask.")
    var yes = false

    func run() async throws {
        guard let transport = SelftestTransport.factory else {
            try SelftestTransport.execEvaldBeside(arguments: ProcessArguments.forParsing)
        }
        let context = try options.context()
        var mode = SelfTest.Mode.credentialsOnly
        if sendTestEvaluation {
            let window = context.configuration.windows.first?.windowCode ?? "SELFTEST"
            guard yes || Confirmation.ask("Send a real 非常满意 test evaluation for window \(window) to \(context.configuration.platform.baseURL)?") else {
                throw Failure("not sent: confirm on a terminal or pass --yes")
            }
            mode = .sendTestEvaluation
        }
        var steps: [SelfTest.Step] = []
        let ok = await SelfTest.run(configuration: context.configuration, mode: mode, transport: transport) { step in
            steps.append(step)
            if !json { print(TerminalText.escaped("\(step.ok ? "✓" : "✗") \(step.name): \(step.detail)")) }
        }
        if json {
            print(Output.json(["ok": ok, "steps": steps.map { ["step": $0.name, "ok": $0.ok, "detail": $0.detail] as [String: Any] }] as [String: Any]))
        }
        if !ok { throw ExitCode(1) }
    }
}
