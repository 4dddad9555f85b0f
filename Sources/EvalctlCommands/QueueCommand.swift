import EvalQueue
import EvalCore
import ArgumentParser

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List, show, retry, release or drop queued evaluations.",
        subcommands: [QueueListCommand.self, QueueShowCommand.self, QueueRetryCommand.self, QueueReleaseCommand.self, QueueDropCommand.self],
        defaultSubcommand: QueueListCommand.self
    )
}
