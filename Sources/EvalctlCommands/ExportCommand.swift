import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export evaluations as CSV (UTF-8 with BOM, for Excel/WPS) or JSON lines."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var range: DateRange
    @Option(help: "csv or json.")
    var format: String = "csv"
    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var output: String?
    @Flag(help: "Include evaluators' names and ID numbers in clear (audit-logged first; refused if the audit entry cannot be written).")
    var reveal = false

    func validate() throws {
        guard EvaluationExport.Format(rawValue: format) != nil else { throw ValidationError("--format must be csv or json") }
    }

    func run() async throws {
        let context = try options.context()
        let records = try context.records(since: range.sinceDate, until: range.untilDate).reversed()
        let items = records.map { EvaluationExport.Item(evaluation: $0.evaluation, state: $0.state.rawValue, deliveredAt: $0.deliveredAt) }
        if reveal {
            do {
                try await RevealAudit.record("export: \(items.count) records with personal data in clear" + (output.map { " to \($0)" } ?? " to stdout"),
                                       context: context)
            } catch {
                throw Failure("\(error)")
            }
        }
        let text = format == "csv" ? EvaluationExport.csv(items, reveal: reveal) : EvaluationExport.jsonLines(items, reveal: reveal)
        if let output {
            do {
                try PrivateFile.create(output, contents: Data(text.utf8))
            } catch {
                throw Failure("cannot write \(output): \(ErrorReport.reason(error))")
            }
            FileHandle.standardError.write(Data("exported \(items.count) evaluations to \(output)\n".utf8))
        } else {
            print(text, terminator: "")
        }
    }
}
