import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads what can change without a restart: window bindings,
/// device profiles, scan rules. A bad file keeps the previous settings.
struct ReloadService: Service {
    let notifier: SystemdNotifier
    let logger: Logger
    let reload: @Sendable () async -> Result<String, any Error>

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            logger.notice("SIGHUP: reloading bindings, profiles and scan rules")
            switch await reload() {
            case .success(let summary):
                logger.notice("reloaded: \(summary)")
                notifier.reloaded(status: "reloaded: \(summary)")
            case .failure(let error):
                logger.error("reload failed, keeping the previous settings: \(error)")
                notifier.reloaded(status: "reload failed, previous settings kept")
            }
        }
    }
}
