#if canImport(Glibc)
import EvalOperator
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// evald: one process, one queue, a group of services.
///
/// Order matters (swift-service-lifecycle starts in array order and stops in
/// reverse): storage first so it closes last, after the pipeline and the
/// forwarder have finished their in-flight work.
public struct Daemon: Sendable {
    public let configuration: AgentConfiguration
    let logger: Logger
    /// Shorter than the unit's TimeoutStopSec (30 s), so a stuck service is
    /// cancelled by us, with a log line, before systemd sends SIGKILL.
    public static let maximumGracefulShutdown: Duration = .seconds(20)

    public init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let agent = configuration.agent
        try Self.prepareStateDirectory(agent.stateDirectory)
        let lock = try InstanceLock(path: agent.resolvedLockFile)
        defer { lock.release() }

        let notifier = SystemdNotifier()
        let board = StatusBoard(version: EvaldVersion.current)
        let metrics = AgentMetrics()
        let heartbeats = Heartbeats()
        notifier.status("opening the queue")

        let parts = try await DaemonParts.assemble(
            configuration: configuration, board: board, metrics: metrics,
            heartbeats: heartbeats, logger: logger
        )

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = parts.services.map {
            .init(service: $0.service, successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
        }
        if let address = agent.metricsListen {
            let server = MetricsServer(address: address, metrics: metrics, limits: configuration.metricsLimits, logger: logger)
            metrics.addListener(server.gate)
            services.append(.init(
                service: server,
                successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .ignore, serviceName: "metrics"
            ))
        }
        services.append(.init(
            service: StatusFileService(board: board, path: agent.resolvedStatusFile, logger: logger),
            successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "status"
        ))
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(.init(
                service: CancelOnShutdown(WatchdogService(notifier: notifier, heartbeats: heartbeats, interval: interval, logger: logger)),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "watchdog"
            ))
        }
        services.append(.init(
            service: StopDeadlineService(logger: logger),
            successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "stop-deadline"
        ))
        services.append(.init(
            service: ReloadService(notifier: notifier, logger: logger, reload: parts.reload),
            successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "reload"
        ))
        services.append(.init(
            service: ReadinessService(notifier: notifier, board: board, statusLine: parts.statusLine, logger: logger),
            successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "readiness"
        ))

        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = Self.maximumGracefulShutdown
        let group = ServiceGroup(configuration: groupConfiguration)
        defer { parts.close() }
        try await group.run()
        board.finish()
        logger.notice("evald stopped cleanly")
    }

    /// Under systemd, StateDirectory= creates it; by hand (the demo, tests)
    /// we create it, private to the service user.
    static func prepareStateDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DaemonError("state_dir \(path) exists but is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw DaemonError("cannot create state_dir \(path): \(error.localizedDescription)")
        }
    }
}

/// Wraps a service that should simply stop (be cancelled) when graceful
/// shutdown begins, such as the watchdog pinger.
struct CancelOnShutdown<Wrapped: Service>: Service {
    let wrapped: Wrapped
    init(_ wrapped: Wrapped) { self.wrapped = wrapped }
    func run() async throws {
        try await cancelWhenGracefulShutdown { try await wrapped.run() }
    }
}
