import EvalQueue
import EvalCore
import ArgumentParser
import EvalAgent
import Foundation

struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Send one test evaluation through the real uplink path to the configured platform and report each step.",
        discussion: "The test evaluation is 非常满意 from device 'evalctl-selftest'. Needs read access to the app secret (sudo)."
    )

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Machine-readable output.")
    var json = false

    func run() async throws {
        let context = try options.context()
        var steps: [SelfTest.Step] = []
        let ok = await SelfTest.run(configuration: context.configuration) { step in
            steps.append(step)
            if !json { print("\(step.ok ? "✓" : "✗") \(step.name): \(step.detail)") }
        }
        if json {
            print(Output.json(["ok": ok, "steps": steps.map { ["step": $0.name, "ok": $0.ok, "detail": $0.detail] as [String: Any] }] as [String: Any]))
        }
        if !ok { throw ExitCode(1) }
    }
}
