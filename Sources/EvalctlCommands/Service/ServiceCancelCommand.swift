import ArgumentParser
import EvalAPIClient

/// `evalctl service cancel ID`: the counter stops waiting; the case stays open for its default rating.
struct ServiceCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a waiting service.")

    @OptionGroup var options: ServiceAPIOptions
    @Argument(help: "The serviceId `open` printed.") var serviceId: String

    func run() async throws {
        let response = try options.call("DELETE", "/v1/services/\(serviceId)")
        print(options.json ? response.text : ServicePresentation.line(response.json ?? [:]))
    }
}
