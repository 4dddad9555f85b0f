import ArgumentParser

/// `evalctl service …`: exercise the counter API as a business system would,
/// through evald's Unix socket (docs/api.md), without the business system.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Open, show, cancel and watch counter services through evald's API socket.",
        subcommands: [ServiceOpenCommand.self, ServiceShowCommand.self, ServiceCancelCommand.self, ServiceWatchCommand.self]
    )
}
