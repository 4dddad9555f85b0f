import EvalCounterAPI
import Foundation

extension AgentConfiguration {
    /// Where the API's bearer token comes from: `[api] token_file`, else the
    /// systemd credential (`$CREDENTIALS_DIRECTORY/api-token`), else the file
    /// the packaged unit loads it from (/etc/evald/api-token).
    public func apiTokenPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let file = api.tokenFile { return file }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            return (directory as NSString).appendingPathComponent(api.tokenCredential)
        }
        return "/etc/evald/" + api.tokenCredential
    }

    /// `[api]` → the server's configuration. TCP without a usable token is
    /// refused: a loopback port is reachable by every local user and page.
    public func counterAPIServerConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CounterAPIServer<ContinuousClock>.Configuration {
        var token: String?
        if api.listen != nil {
            let path = apiTokenPath(environment: environment)
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), text.count >= 16 else {
                throw DaemonError("[api] listen is set but no bearer token of at least 16 characters could be read from \(path) (token_file, or the systemd credential \(api.tokenCredential))")
            }
            token = text
        }
        return CounterAPIServer<ContinuousClock>.Configuration(
            socketPath: api.socket, socketGroup: api.socketGroup,
            listen: api.listen.map { (host: $0.host, port: $0.port) }, token: token,
            allowedOrigins: Set(api.allowedOrigins), bodyLimit: api.maxBodyBytes)
    }
}
