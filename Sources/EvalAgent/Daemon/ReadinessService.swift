import EvalOperator
import Logging
import ServiceLifecycle

/// Tells systemd READY=1 once everything before it in the group has started
/// (storage is opened before the group runs), and STOPPING=1 when graceful
/// shutdown begins.
struct ReadinessService: Service {
    let notifier: SystemdNotifier
    let board: StatusBoard
    let statusLine: @Sendable () -> String
    let logger: Logger

    func run() async throws {
        board.update { $0.phase = "running" }
        notifier.ready(status: statusLine())
        logger.notice("evald ready: \(statusLine())")
        await gracefulShutdownOrCancel()
        board.update { $0.phase = "stopping" }
        notifier.stopping(status: "finishing in-flight work")
        logger.notice("stopping: finishing in-flight work")
    }
}
