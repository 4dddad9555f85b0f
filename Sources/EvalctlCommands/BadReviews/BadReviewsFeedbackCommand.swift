import ArgumentParser
import EvalCore

struct BadReviewsFeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Record that the result was fed back to the citizen (反馈). Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Option(help: "How and what was fed back.")
    var note: String

    func run() async throws { try await step.record(.feedback(note: note)) }
}
