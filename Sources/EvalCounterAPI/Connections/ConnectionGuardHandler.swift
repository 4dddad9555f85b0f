import NIOCore

/// The NIO side of `ConnectionGate` and `ConnectionTimeouts`, first after the
/// HTTP decoder of each accepted connection: a connection over the cap is
/// closed before any byte is read, an idle or slow one when its timer runs
/// out. Generic over the HTTP part types, so Hummingbird (HTTPTypes parts)
/// and the `/metrics` server (NIOHTTP1 parts) share it.
public final class ConnectionGuardHandler<In, Out>: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = In
    public typealias InboundOut = In
    public typealias OutboundIn = Out
    public typealias OutboundOut = Out

    /// What a part is, for the timeouts.
    public enum Part { case head, body, end }

    private let gate: ConnectionGate
    private let inbound: (In) -> Part
    private let outbound: (Out) -> Part
    private var timeouts: ConnectionTimeouts<ContinuousClock.Instant>
    private var admitted = false
    private var started = false
    private var timer: Scheduled<Void>?

    public init(gate: ConnectionGate, inbound: @escaping (In) -> Part, outbound: @escaping (Out) -> Part) {
        self.gate = gate
        self.inbound = inbound
        self.outbound = outbound
        timeouts = ConnectionTimeouts(idleTimeout: gate.limits.idleTimeout, headerTimeout: gate.limits.headerTimeout)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if admitted {
            admitted = false
            gate.release()
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        if admitted { context.fireChannelActive() }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if admitted {
            admitted = false
            gate.release()
        }
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted else { return }
        switch inbound(unwrapInboundIn(data)) {
        case .head: perform(timeouts.requestHeadRead(at: .now), context)
        case .end: perform(timeouts.requestRead(), context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if outbound(unwrapOutboundIn(data)) == .end { perform(timeouts.answerWritten(at: .now), context) }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        guard gate.admit() else {
            context.close(promise: nil)
            return
        }
        admitted = true
        perform(timeouts.accepted(at: .now), context)
    }

    private func perform(_ action: ConnectionTimeouts<ContinuousClock.Instant>.Action, _ context: ChannelHandlerContext) {
        switch action {
        case .none: break
        case .cancel:
            timer?.cancel()
            timer = nil
        case .close:
            timer = nil
            gate.recordTimeout()
            context.close(promise: nil)
        case .schedule(let deadline):
            timer?.cancel()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let delay = max(.zero, ContinuousClock.now.duration(to: deadline))
            timer = context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                let (handler, context) = loopBound.value
                handler.timer = nil
                handler.perform(handler.timeouts.timerFired(at: .now), context)
            }
        }
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
