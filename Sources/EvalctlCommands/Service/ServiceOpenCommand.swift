import ArgumentParser
import EvalAPIClient
import Foundation

/// `evalctl service open W01 MS-2026-0001 [--countdown 60] [--staff login:name] [--wait]`.
struct ServiceOpenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open a service at a window: the keypad's next press rates the case.")

    @OptionGroup var options: ServiceAPIOptions
    @Argument(help: "The window code.") var windowCode: String
    @Argument(help: "The case number (办件编号).") var projectNo: String
    @Option(help: "The service item code.") var taskCode: String?
    @Option(help: "The service item name.") var taskName: String?
    @Option(help: "Staff served, as loginName[:name].") var staff: String?
    @Option(help: "Seconds the counter waits for the press (5–600).") var countdown = 60

    func run() async throws {
        var body: [String: Any] = ["windowCode": windowCode, "projectNo": projectNo, "countdownSeconds": countdown]
        if let taskCode { body["taskCode"] = taskCode }
        if let taskName { body["taskName"] = taskName }
        if let staff {
            let parts = staff.split(separator: ":", maxSplits: 1).map(String.init)
            body["staff"] = ["loginName": parts[0], "name": parts.count > 1 ? parts[1] : parts[0]]
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let response = try options.call("POST", "/v1/services", json: json)
        print(options.json ? response.text : ServicePresentation.line(response.json ?? [:]))
    }
}
