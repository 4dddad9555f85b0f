import ArgumentParser
import EvalOperator

/// `evalctl codes logout [LOGIN]`: a logout code, `LOGOUT[:LOGIN]~signature`.
struct CodesLogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Print a signed logout code (for one member only when LOGIN is given)."
    )

    @Argument(help: "Log out only this member (default: whoever is logged in).") var login: String?
    @OptionGroup var output: CodeOutputOptions

    func run() throws {
        try output.emit(.logout(loginName: login))
    }
}
