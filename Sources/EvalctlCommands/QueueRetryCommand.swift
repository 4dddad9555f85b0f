import ArgumentParser
import EvalOperator

struct QueueRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send a dead letter (rejected record) again, after fixing its cause. Audit-logged."
    )

    @OptionGroup var repair: RepairArguments

    func run() async throws {
        try await repair.perform(.retry, asking: "Send \(repair.id) to the platform again?")
    }
}
