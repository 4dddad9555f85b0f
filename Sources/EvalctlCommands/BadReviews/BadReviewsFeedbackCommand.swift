import ArgumentParser
import EvalCore

struct BadReviewsFeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Record that the result was fed back to the citizen (反馈). Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Option(help: "How and what was fed back.")
    var note: String

    func run() throws { try step.record(.feedback(note: note)) }
}
