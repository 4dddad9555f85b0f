import ArgumentParser
import EvalOperator

/// `evalctl codes case PROJECTNO`: a case code, `PROJECTNO~signature`.
struct CodesCaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "case", abstract: "Print a signed case code (opens the service for the case).")

    @Argument(help: "The case number (办件编号).") var projectNo: String
    @OptionGroup var output: CodeOutputOptions

    func run() throws {
        try output.emit(.caseReceipt(projectNo: projectNo))
    }
}
