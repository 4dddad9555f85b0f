import EvalQueue
import EvalCore
import ArgumentParser

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List, show, retry or drop queued evaluations.",
        subcommands: [QueueListCommand.self, QueueShowCommand.self, QueueRetryCommand.self, QueueDropCommand.self],
        defaultSubcommand: QueueListCommand.self
    )
}
