import ArgumentParser
import EvalOperator

/// `evalctl codes staff LOGIN [--name NAME]`: a staff badge, `STAFF:LOGIN[:NAME]~signature`.
struct CodesStaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Print a signed staff badge code (logs the member in at the window).")

    @Argument(help: "The member's login name (as the platform knows it).") var login: String
    @Option(help: "The member's name as shown in evaluations (default: the login name).") var name: String?
    @OptionGroup var output: CodeOutputOptions

    func run() throws {
        try output.emit(.staff(loginName: login, name: name))
    }
}
