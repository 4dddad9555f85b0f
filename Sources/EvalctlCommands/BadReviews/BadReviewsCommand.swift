import ArgumentParser

/// `evalctl bad-reviews …`: the rectification and call-back ledger (差评整改回访台账).
/// Without a verb it lists, as it always did.
struct BadReviewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bad-reviews",
        abstract: "The bad-review ledger (差评整改回访台账): list, follow up (verify, rectify, extend, feedback, call-back), report.",
        subcommands: [
            BadReviewsListCommand.self, BadReviewsShowCommand.self, BadReviewsVerifyCommand.self, BadReviewsRectifyCommand.self,
            BadReviewsExtendCommand.self, BadReviewsFeedbackCommand.self, BadReviewsCallBackCommand.self, BadReviewsReportCommand.self,
        ],
        defaultSubcommand: BadReviewsListCommand.self
    )
}
