import Crypto
import Foundation

/// Who may call the API, decided before any handler runs (pure, unit-tested):
///
/// - A request with an `Origin` header (a browser) is served only for the
///   configured origins; any other origin gets 403, preflight or not.
/// - A preflight (`OPTIONS` with `Access-Control-Request-Method`) from an
///   allowed origin is answered 204 without a token (browsers never send one
///   on preflights), with `Access-Control-Allow-Private-Network: true` when
///   Chromium asks for it (Private Network Access, a public page calling loopback).
/// - On TCP every other request needs `Authorization: Bearer <token>`;
///   `GET /v1/events` may carry it as `?access_token=` instead, because
///   `EventSource` cannot set headers. The Unix socket needs no token: its
///   mode (0660, group evald-api) is the access control.
/// - On TCP the `Host` header must name this machine's loopback
///   (`127.0.0.1`, `localhost`, `[::1]`, any port) or a configured host
///   name; any other gets 421. A page of a rebound DNS name (the attacker's
///   name resolving to 127.0.0.1) sends its own name, so it is refused before
///   the token is even looked at.
/// - A per-window token (`[api] window_tokens`) is accepted like the main
///   token, but its `scope` is its windows only: the routes refuse it
///   anything at another window (403 `window-not-allowed`).
public struct AccessPolicy: Sendable {
    public var token: String?
    public var allowedOrigins: Set<String>
    /// Host names (lower case, no port) accepted besides loopback; nil: no
    /// Host check (the Unix socket).
    public var allowedHosts: Set<String>?
    public var windowTokens: [WindowToken]

    public static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]", "::1"]

    public init(token: String?, allowedOrigins: Set<String>, allowedHosts: Set<String>? = nil, windowTokens: [WindowToken] = []) {
        self.token = token
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.windowTokens = windowTokens
    }

    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var origin: String?
        public var authorization: String?
        public var queryToken: String?
        public var preflightMethod: String?
        public var privateNetworkRequested: Bool
        /// The `Host` header as sent (with its port, if any).
        public var host: String?

        public init(method: String, path: String, origin: String? = nil, authorization: String? = nil, queryToken: String? = nil,
                    preflightMethod: String? = nil, privateNetworkRequested: Bool = false, host: String? = nil) {
            self.host = host
            self.method = method
            self.path = path
            self.origin = origin
            self.authorization = authorization
            self.queryToken = queryToken
            self.preflightMethod = preflightMethod
            self.privateNetworkRequested = privateNetworkRequested
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Answer 204 with these headers and stop.
        case preflight(headers: [String: String])
        case refuse(APIError)
        /// Run the handler; add these headers to its answer.
        case proceed(headers: [String: String])
    }

    public static let allowedMethods = "GET, POST, PUT, DELETE"
    public static let allowedHeaders = "Authorization, Content-Type"

    public func decide(_ request: Request) -> Decision {
        if let allowedHosts, !Self.hostAllowed(request.host, allowedHosts) {
            return .refuse(APIError(421, "host-not-allowed",
                                    "Host \((request.host ?? "(none)").prefix(100)) is not this agent's; use http://127.0.0.1:<port>"))
        }
        var cors: [String: String] = [:]
        if let origin = request.origin {
            guard allowedOrigins.contains(origin) else {
                return .refuse(APIError(403, "origin-not-allowed", "origin \(origin.prefix(100)) is not allowed to use this agent's API"))
            }
            cors["Access-Control-Allow-Origin"] = origin
            cors["Vary"] = "Origin"
        }
        if request.method == "OPTIONS" {
            guard request.origin != nil, request.preflightMethod != nil else {
                return .refuse(APIError(400, "invalid-request", "OPTIONS is only answered as a CORS preflight"))
            }
            cors["Access-Control-Allow-Methods"] = Self.allowedMethods
            cors["Access-Control-Allow-Headers"] = Self.allowedHeaders
            cors["Access-Control-Max-Age"] = "600"
            if request.privateNetworkRequested { cors["Access-Control-Allow-Private-Network"] = "true" }
            return .preflight(headers: cors)
        }
        if let token {
            var presented: String?
            if let authorization = request.authorization, authorization.lowercased().hasPrefix("bearer ") {
                presented = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            } else if request.method == "GET", request.path == "/v1/events" {
                presented = request.queryToken
            }
            guard let presented else {
                return .refuse(APIError(401, "token-required", "this endpoint needs Authorization: Bearer <token>"))
            }
            guard Self.constantTimeEqual(presented, token) || windowTokens.contains(where: { Self.constantTimeEqual(presented, $0.token) }) else {
                return .refuse(APIError(401, "token-invalid", "the bearer token is not this agent's"))
            }
        }
        return .proceed(headers: cors)
    }

    /// Which windows a request that `decide` let through may act on: all,
    /// unless it presented a per-window token (checked in the same way).
    public func scope(_ request: Request) -> AccessScope {
        guard let token, !windowTokens.isEmpty else { return .all }
        var presented: String?
        if let authorization = request.authorization, authorization.lowercased().hasPrefix("bearer ") {
            presented = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if request.method == "GET", request.path == "/v1/events" {
            presented = request.queryToken
        }
        guard let presented, !Self.constantTimeEqual(presented, token) else { return .all }
        // Every token is compared, so the time taken does not say which one matched.
        var windows: Set<String> = []
        for windowToken in windowTokens where Self.constantTimeEqual(presented, windowToken.token) { windows.formUnion(windowToken.windows) }
        return .windows(windows)
    }

    /// `host[:port]` → whether the host part is loopback or allowed.
    static func hostAllowed(_ header: String?, _ allowed: Set<String>) -> Bool {
        guard var host = header?.trimmingCharacters(in: .whitespaces).lowercased(), !host.isEmpty else { return false }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[...close])
        } else if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        return loopbackHosts.contains(host) || allowed.contains(host)
    }

    /// Compares digests, so neither length nor prefix leaks through timing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8)))
        let y = Array(SHA256.hash(data: Data(b.utf8)))
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
