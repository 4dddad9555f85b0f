import ArgumentParser
import EvalAPIClient
import EvalOperator
import Foundation

/// `evalctl service watch [W01] [--count N]`: prints the API's events as they come.
struct ServiceWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print counter events (rated, expired, cancelled, device-online/offline) as they come.")

    @OptionGroup var options: ServiceAPIOptions
    @Argument(help: "Only this window's events.") var windowCode: String?
    @Option(help: "Stop after this many events (default: until interrupted).") var count: Int?

    func run() async throws {
        let path = "/v1/events" + (windowCode.map { "?windowCode=\($0)" } ?? "")
        let stream: EventStreamClient
        do {
            stream = try EventStreamClient(options.client, path: path)
        } catch {
            throw Failure("cannot reach evald's counter API at \(options.socketPath): \(error)")
        }
        defer { stream.close() }
        guard stream.waitUntilSubscribed(timeout: .seconds(10)) else {
            throw Failure("evald's counter API did not open the event stream (\(stream.status.map { "HTTP \($0)" } ?? "no answer"))")
        }
        FileHandle.standardError.write(Data("watching \(windowCode ?? "all windows")…\n".utf8))
        var printed = 0
        while count.map({ printed < $0 }) ?? true {
            guard let event = stream.nextEvent(after: printed, timeout: .seconds(3600)) else {
                if stream.isClosed { break }
                continue
            }
            printed += 1
            print(TerminalText.escaped(options.json ? "{\"event\":\"\(event.name)\",\"data\":\(event.data)}" : "\(event.name)  \(event.data)"))
            fflush(nil)
        }
    }
}
