#if canImport(Glibc)
import EvalOperator
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Serves `ControlRequest`s on a unix socket in the state directory (mode
/// 0660, group evald: operators in the group may use it, nobody else).
public struct ControlServer: Service {
    public typealias Handler = @Sendable (ControlRequest) async -> ControlResponse

    let path: String
    let handler: Handler
    let logger: Logger

    public init(path: String, logger: Logger, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        unlink(path)  // a socket left by a killed daemon; we hold the instance lock
        let handler = self.handler
        let logger = self.logger
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(handler: handler, logger: logger))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        chmod(path, 0o660)
        await gracefulShutdownOrCancel()
        try? await channel.close()
        unlink(path)
    }
}

private final class ControlConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let handler: ControlServer.Handler
    let logger: Logger
    private var buffer = ByteBuffer()
    private var answered = false

    init(handler: @escaping ControlServer.Handler, logger: Logger) {
        self.handler = handler
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        guard !answered else { return }
        if buffer.readableBytes > 64 * 1024 {
            answered = true
            context.close(promise: nil)
            return
        }
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return }
        answered = true
        let line = Data(buffer.readableBytesView[buffer.readableBytesView.startIndex..<newline])
        let channel = context.channel
        let handler = self.handler
        let logger = self.logger
        Task {
            let response: ControlResponse
            if let request = try? JSONDecoder().decode(ControlRequest.self, from: line) {
                response = await handler(request)
            } else {
                logger.warning("control socket: malformed request ignored")
                response = ControlResponse(ok: false, message: "malformed request")
            }
            var data = (try? JSONEncoder().encode(response)) ?? Data("{\"ok\":false,\"message\":\"encoding\"}".utf8)
            data.append(UInt8(ascii: "\n"))
            var out = channel.allocator.buffer(capacity: data.count)
            out.writeBytes(data)
            try? await channel.writeAndFlush(out)
            try? await channel.close()
        }
    }
}
