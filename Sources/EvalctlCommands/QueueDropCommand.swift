import ArgumentParser
import EvalOperator

struct QueueDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop",
        abstract: "Remove a record from the queue for good (usually a dead letter). The record goes to the audit log."
    )

    @OptionGroup var repair: RepairArguments

    func run() async throws {
        try await repair.perform(.drop, asking: "Drop \(repair.id)? It will never reach the platform.")
    }
}
