import ArgumentParser
import EvalCore

struct BadReviewsExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Rectification cannot be done in 15 working days: explain why and set the new last day. Audit-logged."
    )

    @OptionGroup var step: FollowUpArguments
    @Option(help: "The new last day of rectification (yyyy-MM-dd).")
    var until: CivilDate
    @Option(help: "Why it cannot be done in time.")
    var reason: String

    func run() async throws { try await step.record(.extend(until: until, explanation: reason)) }
}
