import ArgumentParser
import EvalCore

struct BadReviewsCallBackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call-back",
        abstract: "Record the call-back (回访) of a real-name review: satisfied, notSatisfied, or unreachable (to retry). Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Option(help: "satisfied, notSatisfied or unreachable.")
    var result: CallBackResult
    @Option(help: "What the citizen said.")
    var note: String = "-"

    func run() async throws { try await step.record(.callBack(result, note: note)) }
}
