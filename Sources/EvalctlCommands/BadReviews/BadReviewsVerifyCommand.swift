import ArgumentParser
import EvalCore

struct BadReviewsVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Record the verification (核实): valid, or mistaken (误评) / malicious (恶意差评), which closes it. Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Flag(help: "What the verification found.")
    var verdict: Verification
    @Option(help: "What was found and how.")
    var reason: String

    func run() async throws { try await step.record(.verify(verdict, reason: reason)) }
}
