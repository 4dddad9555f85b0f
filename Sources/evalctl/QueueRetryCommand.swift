import EvalQueue
import ArgumentParser
import EvalAgent
import EvalCore

struct QueueRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send a dead letter (rejected record) again, after fixing its cause. Audit-logged."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The evaluationId of a rejected record.")
    var id: String
    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        guard let evaluationId = EvaluationID(id) else { throw ValidationError("not an evaluationId: \(id)") }
        let context = try options.context()
        guard yes || Confirmation.ask("Send \(id) to the platform again?") else { throw Failure("not confirmed; nothing changed") }
        do {
            print(try await QueueRepair.perform(.retry, id: evaluationId, context: context, operatorName: AuditLog.currentOperator))
        } catch {
            throw Failure("\(error)")
        }
    }
}
