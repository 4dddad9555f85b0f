import EvalCounterAPI
import EvalOperator
import Foundation

/// The daemon's side of `[api]`: what its server is started with (evalctl only
/// needs where the socket and the token are, in EvalOperator).
extension AgentConfiguration {
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
        var windowTokens: [WindowToken] = []
        for entry in api.windowTokens where api.listen != nil {
            guard let data = FileManager.default.contents(atPath: entry.tokenFile),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), text.count >= 16 else {
                throw DaemonError("[api] window_tokens: no token of at least 16 characters could be read from \(entry.tokenFile)")
            }
            guard text != token, !windowTokens.contains(where: { $0.token == text }) else {
                throw DaemonError("[api] window_tokens: the token in \(entry.tokenFile) is also another token; each must be its own")
            }
            windowTokens.append(WindowToken(token: text, windows: Set(entry.windows)))
        }
        return CounterAPIServer<ContinuousClock>.Configuration(
            socketPath: api.socket, socketGroup: api.socketGroup,
            listen: api.listen.map { (host: $0.host, port: $0.port) }, token: token,
            allowedOrigins: Set(api.allowedOrigins), bodyLimit: api.maxBodyBytes,
            limits: ConnectionLimits(maxConnections: api.maxConnections, idleTimeout: .seconds(api.idleTimeoutSeconds),
                                     headerTimeout: .seconds(api.headerTimeoutSeconds)),
            allowedHosts: Set(api.allowedHosts), windowTokens: windowTokens)
    }

    /// `[metrics]` → the `/metrics` listener's limits.
    public var metricsLimits: ConnectionLimits {
        ConnectionLimits(maxConnections: metrics.maxConnections, idleTimeout: .seconds(metrics.idleTimeoutSeconds),
                         headerTimeout: .seconds(metrics.headerTimeoutSeconds))
    }
}
