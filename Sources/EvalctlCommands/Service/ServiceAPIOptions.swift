import ArgumentParser
import EvalAPIClient
import EvalOperator
import Foundation

/// Which socket: `--socket`, else `[api] socket` of the configuration, else
/// the default. A technician in group evald-api may not read evald.toml
/// (0640 root:evald), so an unreadable configuration falls back quietly.
struct ServiceAPIOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "evald's configuration file (for [api] socket).")
    var config: String = AgentConfiguration.defaultPath

    @Option(help: "The counter API's Unix socket (default: [api] socket, else /run/evald/api.sock).")
    var socket: String?

    @Flag(help: "Print the API's JSON answer as is.")
    var json = false

    var socketPath: String {
        if let socket { return socket }
        if let configuration = try? ConfigurationLoader.load(path: config).get() { return configuration.api.socket }
        return APISection().socket
    }

    var client: LocalHTTPClient { LocalHTTPClient(.unix(socketPath)) }

    /// Sends the request; a non-2xx answer becomes the API's own error sentence.
    func call(_ method: String, _ path: String, json body: String? = nil) throws -> LocalHTTPClient.Response {
        let response: LocalHTTPClient.Response
        do {
            response = try client.request(method, path, json: body)
        } catch {
            let hint = "\(error)".contains("Permission denied") ? " (join group evald-api: sudo usermod -aG evald-api $USER)" : ""
            throw Failure("cannot reach evald's counter API at \(socketPath): \(error)\(hint); is [api] configured and evald running?")
        }
        guard (200..<300).contains(response.status) else {
            let error = response.json?["error"] as? [String: Any]
            var message = "\(response.status) \(error?["code"] as? String ?? "error"): \(error?["message"] as? String ?? response.text)"
            if let id = error?["evaluationId"] as? String { message += " (evaluation \(id))" }
            throw Failure(message)
        }
        return response
    }
}

/// One line per service for people.
enum ServicePresentation {
    static func line(_ object: [String: Any]) -> String {
        var parts = ["\(object["serviceId"] ?? "-")", "window \(object["windowCode"] ?? "-")", "case \(object["projectNo"] ?? "-")",
                     "\(object["state"] ?? "-")"]
        if let satisfaction = object["satisfaction"] as? Int { parts.append("satisfaction \(satisfaction)") }
        if let id = object["evaluationId"] { parts.append("evaluation \(id)") }
        if let reason = object["reason"] { parts.append("(\(reason))") }
        return TerminalText.escaped(parts.joined(separator: "  "))
    }
}
