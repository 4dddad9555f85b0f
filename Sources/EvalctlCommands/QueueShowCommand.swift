import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct QueueShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one queued evaluation in full.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The evaluationId, or the short id queue list shows.")
    var id: String
    @Flag(help: "Show the evaluator's name and ID number in clear (audit-logged first; refused if the audit entry cannot be written).")
    var reveal = false
    @Flag(help: "Machine-readable output.")
    var json = false

    func run() async throws {
        let context = try options.context()
        let reader = try context.reader()
        let evaluationId = try EvaluationIdArgument.resolve(id) { reader }
        guard let record = try reader.record(evaluationId) else { throw Failure("unknown evaluationId \(id): no such record in the queue") }
        if reveal, record.evaluation.evaluator != nil {
            do {
                try await RevealAudit.record("queue show: the evaluator's name and ID number in clear", evaluationId: evaluationId, context: context)
            } catch {
                throw Failure("\(error)")
            }
        }
        let object = RecordPresentation.object(record, reveal: reveal)
        if json {
            print(Output.json(object))
        } else {
            for key in object.keys.sorted() {
                let value = object[key]!
                let text: String
                switch value {
                case is NSNull: text = "-"
                case let array as [Any]: text = Output.json(array).replacingOccurrences(of: "\n", with: "")
                case let dict as [String: Any]: text = Output.json(dict).replacingOccurrences(of: "\n", with: "")
                default: text = "\(value)"
                }
                print("\(key.padding(toLength: 22, withPad: " ", startingAt: 0)) \(TerminalText.escaped(text))")
            }
        }
    }
}
