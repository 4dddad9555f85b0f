import ArgumentParser
import EvalCore

struct BadReviewsRectifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rectify",
        abstract: "Record the rectification (整改) done on --date, with the measures taken. Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Option(help: "The measures taken.")
    var measures: String

    func run() async throws { try await step.record(.rectify(measures: measures)) }
}
