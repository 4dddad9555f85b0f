import EvalDevices
import EvalOperator
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Reads every device through the device hub and hands each event to the
/// pipeline. A reload with new profiles restarts the hub (bindings and rules
/// change in the pipeline without a restart).
///
/// The hub feeds an inbox from a task of its own; the service's task only
/// consumes the inbox and is never cancelled, so on SIGTERM or a restart the
/// event being handled (a press on its way into the queue) always completes.
final class DeviceService: Service, Sendable {
    private struct Run {
        var feeder: Task<Void, Never>
        var inbox: AsyncStream<DeviceEvent>.Continuation
    }

    private struct State {
        var configuration: DeviceHub.Configuration
        var current: Run?
        var stopping = false
        /// Bound devices absent at start that have sent nothing yet.
        var absent: Set<String>
    }

    private let pipeline: CounterPipeline
    private let logger: Logger
    private let state: Mutex<State>
    private let board: StatusBoard

    init(pipeline: CounterPipeline, hubConfiguration: DeviceHub.Configuration, board: StatusBoard, absent: Set<String> = [],
         logger: Logger) {
        self.pipeline = pipeline
        self.logger = logger
        self.board = board
        state = Mutex(State(configuration: hubConfiguration, absent: absent))
    }

    /// Any event from a device absent at start (attached, or a problem) means it is there now.
    private func noteSeen(_ event: DeviceEvent) {
        let id = event.device.deviceId
        let remaining: [String]? = state.withLock { s in
            guard s.absent.remove(id) != nil else { return nil }
            return s.absent.sorted()
        }
        if let remaining {
            logger.notice("bound device attached after start", metadata: ["device": "\(id)"])
            board.update { $0.absentSinceStart = remaining }
        }
    }

    /// New profiles or backends: end the current hub, start a new one.
    func restart(with configuration: DeviceHub.Configuration) {
        state.withLock { s in
            s.configuration = configuration
            s.current?.feeder.cancel()
            s.current?.inbox.finish()
        }
    }

    private func stop() {
        state.withLock { s in
            s.stopping = true
            s.current?.feeder.cancel()
            s.current?.inbox.finish()
        }
    }

    func run() async throws {
        let logger = self.logger
        // A hub that ends by itself (every backend gave up: a simulated
        // keypad's file missing) is started again, each time later, up to 30 s:
        // a missing device must not become a busy loop of restarts and log lines.
        var pause = Self.firstPause
        while true {
            let (inbox, continuation) = AsyncStream.makeStream(of: DeviceEvent.self)
            let started: Bool = state.withLock { s in
                guard !s.stopping else { return false }
                let hub = DeviceHub(configuration: s.configuration, logger: logger)
                let feeder = Task {
                    await hub.run { output in
                        if case .event(let event) = output { continuation.yield(event) }
                    }
                    continuation.finish()
                }
                s.current = Run(feeder: feeder, inbox: continuation)
                return true
            }
            guard started else { return }
            var handled = false
            await withGracefulShutdownHandler {
                for await event in inbox {
                    handled = true
                    noteSeen(event)
                    await pipeline.handle(event)
                }
            } onGracefulShutdown: {
                self.stop()
            }
            let stopping = state.withLock { s in
                s.current?.feeder.cancel()
                s.current = nil
                return s.stopping
            }
            if stopping || Task.isCancelled { return }
            pause = handled ? Self.firstPause : min(pause * 2, Self.longestPause)
            logger.notice("device hub restarted", metadata: ["after": "\(pause)"])
            try? await Task.sleep(for: pause)
        }
    }

    private static let firstPause = Duration.milliseconds(200)
    private static let longestPause = Duration.seconds(30)
}
