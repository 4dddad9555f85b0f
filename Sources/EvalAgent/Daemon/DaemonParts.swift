import Foundation
import Logging
import ServiceLifecycle

/// The module-specific part of the daemon: storage, devices → sessions →
/// queue, and the forwarder. Kept apart from `Daemon` so that wiring a module
/// in touches this file only.
struct DaemonParts: Sendable {
    struct Named: Sendable {
        var name: String
        var service: any Service
    }

    var services: [Named]
    var reload: @Sendable () async -> Result<String, any Error>
    var statusLine: @Sendable () -> String
    /// Runs after the service group has stopped: closes storage.
    var close: @Sendable () -> Void = {}

    static func assemble(
        configuration: AgentConfiguration, board: StatusBoard, metrics: AgentMetrics,
        heartbeats: Heartbeats, logger: Logger
    ) async throws -> DaemonParts {
        let path = configuration.sourcePath
        let windows = configuration.windows.count
        return DaemonParts(
            services: [],
            reload: {
                guard let path else { return .failure(DaemonError("no configuration file to reload")) }
                let check = ConfigurationLoader.load(path: path)
                do {
                    let fresh = try check.get()
                    return .success("\(fresh.windows.count) window(s)")
                } catch {
                    return .failure(error)
                }
            },
            statusLine: { "\(windows) window(s) configured" }
        )
    }
}
