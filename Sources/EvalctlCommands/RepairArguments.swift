import ArgumentParser
import EvalCore
import EvalOperator

/// What `queue retry` and `queue drop` share: the record they name, the
/// confirmation they ask for, and the audited repair itself.
struct RepairArguments: ParsableArguments {
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The evaluationId, or the short id queue list shows.")
    var id: String
    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func perform(_ verb: QueueRepair.Verb, asking question: String) async throws {
        let context = try options.context()
        let evaluationId = try EvaluationIdArgument.resolve(id, reader: context.reader)
        guard yes || Confirmation.ask(question) else { throw Failure("not confirmed; nothing changed") }
        do {
            print(try await QueueRepair.perform(verb, id: evaluationId, context: context))
        } catch {
            throw Failure("\(error)")
        }
    }
}
