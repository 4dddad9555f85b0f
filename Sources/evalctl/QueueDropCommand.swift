import EvalQueue
import ArgumentParser
import EvalAgent
import EvalCore

struct QueueDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop",
        abstract: "Remove a record from the queue for good (usually a dead letter). The record goes to the audit log."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The evaluationId.")
    var id: String
    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        guard let evaluationId = EvaluationID(id) else { throw ValidationError("not an evaluationId: \(id)") }
        let context = try options.context()
        guard yes || Confirmation.ask("Drop \(id)? It will never reach the platform.") else { throw Failure("not confirmed; nothing changed") }
        do {
            print(try await QueueRepair.perform(.drop, id: evaluationId, context: context, operatorName: AuditLog.currentOperator))
        } catch {
            throw Failure("\(error)")
        }
    }
}
