#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceLifecycle

/// Serves a `CounterAPI` on its Unix socket and, optionally, a loopback port,
/// and runs its countdowns. At graceful shutdown the waiting services end as
/// cancelled and the event streams close, so the servers can drain.
public struct CounterAPIServer<C: Clock>: Service where C.Duration == Duration {
    public struct Configuration: Sendable {
        public var socketPath: String
        /// The socket's group (`evald-api`), when it exists on the machine.
        public var socketGroup: String?
        public var listen: (host: String, port: Int)?
        /// Required on TCP; the Unix socket never asks for it.
        public var token: String?
        public var allowedOrigins: Set<String>
        public var bodyLimit: Int
        /// Each listener's cap and timeouts (the socket and the port count apart).
        public var limits: ConnectionLimits
        /// Host names accepted on TCP besides loopback (DNS rebinding).
        public var allowedHosts: Set<String>
        /// Tokens that act at their own windows only (TCP).
        public var windowTokens: [WindowToken]

        public init(socketPath: String, socketGroup: String? = "evald-api", listen: (host: String, port: Int)? = nil, token: String? = nil,
                    allowedOrigins: Set<String> = [], bodyLimit: Int = 16 * 1024, limits: ConnectionLimits = ConnectionLimits(),
                    allowedHosts: Set<String> = [], windowTokens: [WindowToken] = []) {
            self.limits = limits
            self.allowedHosts = allowedHosts
            self.windowTokens = windowTokens
            self.socketPath = socketPath
            self.socketGroup = socketGroup
            self.listen = listen
            self.token = token
            self.allowedOrigins = allowedOrigins
            self.bodyLimit = bodyLimit
        }
    }

    let api: CounterAPI<C>
    let configuration: Configuration
    let logger: Logger
    /// The Unix socket's and the port's connections, for `/metrics`.
    public let unixGate: ConnectionGate
    public let tcpGate: ConnectionGate

    public init(api: CounterAPI<C>, configuration: Configuration, logger: Logger) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
        unixGate = ConnectionGate(name: "api-unix", limits: configuration.limits)
        tcpGate = ConnectionGate(name: "api-tcp", limits: configuration.limits)
    }

    /// HTTP/1 with the gate's cap and timeouts on every accepted connection.
    static func http1(_ gate: ConnectionGate) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [
            ConnectionGuardHandler<HTTPRequestPart, HTTPResponsePart>(
                gate: gate,
                inbound: { part in
                    switch part {
                    case .head: .head
                    case .body: .body
                    case .end: .end
                    }
                },
                outbound: { part in
                    switch part {
                    case .head: .head
                    case .body: .body
                    case .end: .end
                    }
                })
        ]))
    }

    public func run() async throws {
        let configuration = self.configuration
        let logger = self.logger
        let unixRouter = CounterAPIRoutes.router(api: api, policy: AccessPolicy(token: nil, allowedOrigins: configuration.allowedOrigins),
                                                 bodyLimit: configuration.bodyLimit)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)  // Hummingbird logs every request at info
        let unix = Application(
            router: unixRouter,
            server: Self.http1(unixGate),
            configuration: .init(address: .unixDomainSocket(path: configuration.socketPath), serverName: "evald"),
            onServerRunning: { _ in
                Self.secure(socket: configuration.socketPath, group: configuration.socketGroup, logger: logger)
                logger.notice("counter API on unix:\(configuration.socketPath)")
            },
            logger: quiet)
        var tcp: Application<RouterResponder<APIRequestContext>>?
        if let listen = configuration.listen {
            let policy = AccessPolicy(token: configuration.token, allowedOrigins: configuration.allowedOrigins,
                                      allowedHosts: configuration.allowedHosts, windowTokens: configuration.windowTokens)
            let router = CounterAPIRoutes.router(api: api, policy: policy, bodyLimit: configuration.bodyLimit)
            tcp = Application(
                router: router,
                server: Self.http1(tcpGate),
                configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "evald"),
                onServerRunning: { channel in
                    logger.notice("counter API on http://\(listen.host):\(channel.localAddress?.port ?? listen.port)/v1 (bearer token required)")
                },
                logger: quiet)
        }
        let api = self.api
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await api.runCountdowns() }
            group.addTask {
                try? await gracefulShutdown()
                await api.shutDown()
            }
            group.addTask { try await unix.run() }
            if let tcp { group.addTask { try await tcp.run() } }
            do {
                try await group.waitForAll()
            } catch {
                await api.shutDown()
                throw error
            }
        }
        unlink(configuration.socketPath)
    }

    /// 0660 and group `evald-api`: the business-system bridge and technicians
    /// in that group may call it; nobody else on the machine can.
    static func secure(socket path: String, group: String?, logger: Logger) {
        chmod(path, 0o660)
        guard let group else { return }
        guard let entry = getgrnam(group) else {
            logger.notice("counter API: group \(group) does not exist; the socket keeps evald's group")
            return
        }
        if chown(path, uid_t.max, entry.pointee.gr_gid) != 0 {
            logger.warning("counter API: cannot give the socket to group \(group): \(String(cString: strerror(errno)))")
        }
    }
}
