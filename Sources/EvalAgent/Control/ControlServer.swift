#if canImport(Glibc)
import EvalOperator
import Glibc
#endif
import EvalQueue
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves `ControlRequest`s on a unix socket in the state directory (mode
/// 0660, group evald: operators in the group may use it, nobody else).
///
/// Who asks comes from the kernel: each connection's `SO_PEERCRED` (pid,
/// uid, gid at connect) and `SO_PEERGROUPS` (its supplementary groups) make
/// the `ControlPeer` the handler gets; the name in the request is only a claim.
/// `access` decides per verb: reading is open to whoever reached the
/// socket, changing needs root, evald's own user or group evald-operator.
/// A refusal is answered with the reason, logged and counted.
public struct ControlServer: Service {
    public typealias Handler = @Sendable (ControlRequest, ControlPeer) async -> ControlResponse

    let path: String
    let access: ControlAccess
    let handler: Handler
    let logger: Logger
    let refusals: Refusals
    let onReady: (@Sendable () -> Void)?

    /// Requests refused (`access`, or peer credentials unreadable) since start.
    public final class Refusals: Sendable {
        private let count = Mutex(0)
        public init() {}
        public var value: Int { count.withLock { $0 } }
        func add() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    /// `onReady` runs once the socket is bound and its mode set (tests wait for it).
    public init(path: String, access: ControlAccess = .system(), refusals: Refusals = Refusals(), logger: Logger,
                onReady: (@Sendable () -> Void)? = nil, handler: @escaping Handler) {
        self.path = path
        self.onReady = onReady
        self.access = access
        self.refusals = refusals
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        unlink(path)  // a socket left by a killed daemon; we hold the instance lock
        let connection = ControlConnection(access: access, refusals: refusals, handler: handler, logger: logger)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(connection: connection))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        chmod(path, 0o660)
        onReady?()
        await gracefulShutdownOrCancel()
        try? await channel.close()
        unlink(path)
    }
}

/// What every connection shares: the policy, the handler, the refusal count.
struct ControlConnection: Sendable {
    let access: ControlAccess
    let refusals: ControlServer.Refusals
    let handler: ControlServer.Handler
    let logger: Logger

    /// The kernel's credentials of the channel's peer (`SO_PEERCRED`) and its
    /// supplementary groups (`SO_PEERGROUPS`, nil when the kernel cannot say:
    /// `ControlPeer` then reads /proc).
    static func peer(of channel: any Channel) async throws -> ControlPeer {
        guard let provider = channel as? any SocketOptionProvider else {
            throw DaemonError("the control channel has no socket options")
        }
        let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)).get()
        let groups = try? await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERGROUPS)).get() as PeerGroups
        return ControlPeer(credentials: credentials, groups: groups?.gids)
    }

    /// `SO_PEERGROUPS`' answer for up to 256 groups (ERANGE beyond). NIO reads
    /// into zeroed memory and does not return the length, so the list is the
    /// buffer without its trailing zeros: a supplementary group 0 (root's)
    /// at the end is not seen — never a group someone is let in by.
    struct PeerGroups: Sendable {
        var buffer = InlineArray<256, UInt32>(repeating: 0)

        var gids: [UInt32] {
            var last = -1
            for index in buffer.indices where buffer[index] != 0 { last = index }
            return (0..<(last + 1)).map { buffer[$0] }
        }
    }

    /// One request line from `channel`'s peer, answered.
    func answer(_ line: Data, on channel: any Channel) async -> ControlResponse {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: line) else {
            logger.warning("control socket: malformed request ignored")
            return ControlResponse(ok: false, message: "malformed request")
        }
        let peer: ControlPeer
        do {
            peer = try await Self.peer(of: channel)
        } catch {
            let count = refusals.add()
            logger.error("control socket: \(request.verb.rawValue) refused, peer credentials unreadable: \(error)",
                         metadata: ["refusals": "\(count)"])
            return ControlResponse(ok: false, message: "refused: evald cannot tell who is asking (\(error))")
        }
        if let refusal = access.refusal(of: request.verb, from: peer) {
            let count = refusals.add()
            logger.warning("control socket: \(request.verb.rawValue) refused for \(peer.description): not root, not evald's user, not in group \(access.operatorGroupName)",
                           metadata: ["refusals": "\(count)", "claimed": "\(AuditText.escape(request.operatorName ?? "-", spaces: true))"])
            return ControlResponse(ok: false, message: refusal)
        }
        return await handler(request, peer)
    }
}

/// Unchecked: NIO calls a handler on its channel's event loop only.
private final class ControlConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let connection: ControlConnection
    private var buffer = ByteBuffer()
    private var answered = false

    init(connection: ControlConnection) {
        self.connection = connection
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
        let connection = self.connection
        Task {
            let response = await connection.answer(line, on: channel)
            var data = (try? JSONEncoder().encode(response)) ?? Data("{\"ok\":false,\"message\":\"encoding\"}".utf8)
            data.append(UInt8(ascii: "\n"))
            var out = channel.allocator.buffer(capacity: data.count)
            out.writeBytes(data)
            try? await channel.writeAndFlush(out)
            try? await channel.close()
        }
    }
}
