import EvalCounterAPI
import EvalOperator
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A minimal HTTP/1.1 server for `GET /metrics` on a loopback port, on plain
/// NIO rather than the counter API's Hummingbird: it serves whether or not
/// `[api]` is configured, and one route needs no router.
///
/// Bounded like the counter API (`[metrics]`): a cap on connections, idle
/// and header timeouts (`ConnectionGuardHandler`). Scrapes are answered from
/// a `MetricsSnapshot` rebuilt at most once a second.
public struct MetricsServer: Service {
    let address: HostAndPort
    let snapshot: MetricsSnapshot<ContinuousClock>
    let logger: Logger
    let onBound: @Sendable (Int) -> Void
    /// This listener's connections, for `/metrics` itself.
    public let gate: ConnectionGate

    public init(address: HostAndPort, metrics: AgentMetrics, limits: ConnectionLimits = MetricsServer.defaultLimits, logger: Logger,
                onBound: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.address = address
        snapshot = MetricsSnapshot(clock: ContinuousClock()) { await metrics.render() }
        gate = ConnectionGate(name: "metrics", limits: limits)
        self.logger = logger
        self.onBound = onBound
    }

    /// A Prometheus or two, and a technician's curl.
    public static let defaultLimits = ConnectionLimits(maxConnections: 16, idleTimeout: .seconds(120), headerTimeout: .seconds(10))

    public func run() async throws {
        let snapshot = self.snapshot
        let gate = self.gate
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandlers([
                        ConnectionGuardHandler<HTTPServerRequestPart, HTTPServerResponsePart>(
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
                            }),
                        MetricsHandler(snapshot: snapshot),
                    ])
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
        let port = channel.localAddress?.port ?? address.port
        logger.info("metrics on http://\(address.host):\(port)/metrics")
        onBound(port)
        await gracefulShutdownOrCancel()
        try? await channel.close()
    }
}

/// Unchecked: NIO calls a handler on its channel's event loop only.
private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let snapshot: MetricsSnapshot<ContinuousClock>
    private var head: HTTPRequestHead?

    init(snapshot: MetricsSnapshot<ContinuousClock>) { self.snapshot = snapshot }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let keepAlive = request.isKeepAlive
            let loop = context.eventLoop
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            let handler = NIOLoopBound(self, eventLoop: loop)
            let isHead = request.method == .HEAD
            if request.method == .GET || isHead, request.uri == "/metrics" || request.uri.hasPrefix("/metrics?") {
                let promise = loop.makePromise(of: String.self)
                promise.completeWithTask { [snapshot] in await snapshot.text() }
                promise.futureResult.whenSuccess { text in
                    handler.value.respond(context: boundContext.value, status: .ok,
                                          contentType: "text/plain; version=0.0.4; charset=utf-8", body: text, keepAlive: keepAlive,
                                          headOnly: isHead)
                }
            } else {
                respond(context: context, status: .notFound, contentType: "text/plain", body: "only GET or HEAD /metrics here\n",
                        keepAlive: keepAlive, headOnly: isHead)
            }
        }
    }

    /// `headOnly`: a HEAD answer, with the Content-Length the GET body would have and no body.
    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String, keepAlive: Bool,
                         headOnly: Bool) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(buffer.readableBytes)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !headOnly { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
