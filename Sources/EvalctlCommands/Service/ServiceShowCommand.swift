import ArgumentParser
import EvalAPIClient

/// `evalctl service show ID`.
struct ServiceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a service's state.")

    @OptionGroup var options: ServiceAPIOptions
    @Argument(help: "The serviceId `open` printed.") var serviceId: String

    func run() async throws {
        let response = try options.call("GET", "/v1/services/\(serviceId)")
        print(options.json ? response.text : ServicePresentation.line(response.json ?? [:]))
    }
}
