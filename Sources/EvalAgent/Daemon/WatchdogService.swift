import Logging
import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) at half the interval systemd asked
/// for, but only while every loop is healthy: a hung forwarder or device loop
/// stops the pings, and systemd restarts evald (Restart=on-failure).
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let heartbeats: Heartbeats
    let interval: Duration
    let logger: Logger

    public init(notifier: SystemdNotifier, heartbeats: Heartbeats, interval: Duration, logger: Logger) {
        self.notifier = notifier
        self.heartbeats = heartbeats
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let period = interval / 2
        var reportedHung = false
        // A cancelled sleep (shutdown) ends the loop; no ping after that.
        while !Task.isCancelled {
            let hung = heartbeats.hungLoops()
            if hung.isEmpty {
                notifier.watchdog()
                if reportedHung { logger.notice("all loops healthy again; watchdog pings resumed") }
                reportedHung = false
            } else if !reportedHung {
                let names = hung.map { "\($0.loop) busy for \($0.busyFor)" }.joined(separator: ", ")
                logger.critical("loop hung, withholding watchdog pings so systemd restarts evald: \(names)")
                reportedHung = true
            }
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
        }
    }
}

extension WatchdogService {
    /// Returns once graceful shutdown begins, ending pings with it.
    public func runUntilShutdown() async throws {
        try await cancelWhenGracefulShutdown { try await run() }
    }
}
