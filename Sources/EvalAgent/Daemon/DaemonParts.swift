import EvalConcurrency
import EvalCore
import EvalCounterAPI
import EvalDevices
import EvalOperator
import EvalQueue
import EvalUplink
import Foundation
import Logging
import ServiceLifecycle

/// The module-specific part of the daemon: storage, devices → sessions →
/// queue, the forwarder, the alert runner and the control socket. Kept apart
/// from `Daemon` so that wiring a module touches this file only.
struct DaemonParts: Sendable {
    struct Named: Sendable {
        var name: String
        var service: any Service
    }

    var services: [Named]
    var reload: @Sendable () async -> Result<String, any Error>
    var statusLine: @Sendable () -> String
    /// Runs after the service group has stopped: closes storage.
    var close: @Sendable () -> Void
    var queue: EvaluationQueue

    static func assemble(
        configuration: AgentConfiguration, board: StatusBoard, metrics: AgentMetrics,
        heartbeats: Heartbeats, logger: Logger
    ) async throws -> DaemonParts {
        // Storage first: nothing is read from a device before the queue is open.
        let queue = try EvaluationQueue(configuration: configuration.queueConfiguration, logger: Logger(label: "evald.queue"))
        if let quarantined = queue.quarantinedFile { board.update { $0.quarantinedFile = quarantined } }
        // Scrapes read through a connection of their own: the counts of a
        // big queue never hold the reader lock a scan's case lookup waits on.
        let monitor = try QueueReader(path: configuration.queueConfiguration.path)
        metrics.setQueueGauges {
            guard let snapshot = try? monitor.snapshot() else { return nil }
            return .init(countsByState: Dictionary(uniqueKeysWithValues: snapshot.counts.map { ($0.key.rawValue, $0.value) }),
                         oldestPendingAgeSeconds: snapshot.oldestPendingAge(now: Date()),
                         undeliveredBadReviews: snapshot.pendingBadReviews, waitingForRetry: snapshot.waitingForRetry,
                         timeUncertain: snapshot.timeUncertain, footprint: queue.footprint(),
                         minFreeBytes: queue.configuration.minFreeBytes)
        }
        metrics.setFollowUpGauges {
            // The reviews of the last year: older ones are reported, not watched.
            guard let histories = try? monitor.followUps(since: Date().addingTimeInterval(-366 * 86_400)) else { return nil }
            return FollowUpGauges(histories.map(\.followUp), today: ShanghaiTime.civilDate(Date()))
        }

        let calendar = configuration.workingDayCalendar()
        for warning in calendar.warnings { logger.warning("\(warning)") }
        let rules = try configuration.scanRules()
        for gap in rules.signingGaps { logger.warning("\(gap)") }
        let profiles = configuration.deviceProfiles()
        // A bound device absent at start: a warning now, and a status line until it sends anything.
        let absent = configuration.absentBindings(catalog: profiles.catalog)
        for issue in configuration.deviceIssues(profiles: profiles, absent: absent) { logger.warning("\(issue.location): \(issue.message)") }
        let absentIds = absent.map(\.deviceId).sorted()
        board.update { $0.absentSinceStart = absentIds }

        let badReviewPolicy = BadReviewPolicy(calendar: calendar.calendar)
        // One judgement of the wall clock: the pipeline dates inputs with it,
        // the forwarder feeds it the platform's Date and re-dates with it.
        let clockWatch = ClockWatch()
        let alerts = BadReviewAlerts(configuration: configuration.alertConfiguration, policy: badReviewPolicy,
                                     logger: Logger(label: "evald.alert"), metrics: metrics)
        // Devices whose profiles declare outputs are offered here while read.
        let promptPorts = PromptPorts()
        let prompter = CounterPrompter(ports: promptPorts, bindings: configuration.deviceBindings, logger: Logger(label: "evald.devices"),
                                       metrics: metrics)
        let pipeline = CounterPipeline(
            settings: settings(configuration, rules: rules, catalog: profiles.catalog),
            queue: queue, scheduler: DefaultRatingScheduler(calendar: calendar.calendar),
            badReviewPolicy: badReviewPolicy, alerts: alerts, metrics: metrics, heartbeats: heartbeats,
            board: board, clockWatch: clockWatch, prompter: prompter, logger: Logger(label: "evald.sessions")
        )
        heartbeats.register(.devices, busyLimit: .seconds(30))
        // One set of serial line counters for the daemon's life (a reload restarts the hub, not the counts).
        let serialCounters = SerialLineCounters()
        metrics.setSerialLines { serialCounters.snapshot() }
        var hubConfiguration = configuration.deviceHubConfiguration(catalog: profiles.catalog, prompts: promptPorts)
        hubConfiguration.serialCounters = serialCounters
        let devices = DeviceService(pipeline: pipeline, hubConfiguration: hubConfiguration,
                                    board: board, absent: Set(absentIds),
                                    logger: Logger(label: "evald.devices"))

        let outbox = InstrumentedOutbox(base: queue, heartbeats: heartbeats, metrics: metrics, board: board)
        let forwarder = try Forwarder.make(configuration: configuration.uplinkConfiguration, outbox: outbox,
                                           clockWatch: clockWatch, logger: Logger(label: "evald.uplink"))
        let requestLimit = Duration.milliseconds(configuration.platform.connectTimeoutMillis + configuration.platform.requestTimeoutMillis)
        // Each scrape samples the clocks: a jump is seen (and trust sought
        // again) at the next scrape even when nothing else happens.
        metrics.setClock {
            clockWatch.observeChange()
            return clockWatch.last
        }
        heartbeats.register(.forwarder, busyLimit: requestLimit * 2 + .seconds(30))

        let auditLog = AuditLog(stateDirectory: configuration.agent.stateDirectory)
        let followUpRecorded = Doorbell(clock: ContinuousClock())
        let control = ControlServer(path: ControlSocket.path(stateDirectory: configuration.agent.stateDirectory),
                                    logger: Logger(label: "evald.control")) { request, peer in
            await handle(request, from: peer, queue: queue, auditLog: auditLog, followUpRecorded: followUpRecorded, prompter: prompter, logger: logger)
        }

        let deadlines = RectificationDeadlineService(
            queue: queue, calendar: calendar.calendar, nearWorkingDays: configuration.alert.deadlineNearWorkingDays,
            alerts: alerts, wake: followUpRecorded, clockWatch: clockWatch, logger: Logger(label: "evald.alert"))
        // A new judgement of the clock (trust gained, a jump) may make a default or a deadline due.
        clockWatch.onChange { [casesChanged = pipeline.casesChanged] _ in
            casesChanged.ring()
            followUpRecorded.ring()
        }

        var apiServices: [Named] = []
        if configuration.api.enabled {
            let api = CounterAPI(clock: ContinuousClock(), backend: pipeline,
                                 limits: .init(opensPerSecond: Double(configuration.api.opensPerSecond), openBurst: configuration.api.openBurst,
                                               writesPerSecond: Double(configuration.api.writesPerSecond),
                                               writeBurst: configuration.api.writeBurst),
                                 events: EventBroadcaster(maxSubscribers: configuration.api.maxEventStreams),
                                 logger: Logger(label: "evald.api"),
                                 detail: .init(windowSeconds: configuration.api.detailWindowSeconds, catalog: try configuration.reasonCatalog(),
                                               followUpDays: configuration.api.followUpDays))
            await pipeline.attach(api)
            let server = CounterAPIServer(api: api, configuration: try configuration.counterAPIServerConfiguration(), logger: Logger(label: "evald.api"))
            metrics.addListener(server.unixGate)
            if configuration.api.listen != nil { metrics.addListener(server.tcpGate) }
            metrics.setEventStreams(api.events)
            apiServices.append(Named(name: "api", service: server))
        }

        let housekeeping = HousekeepingService(queue: queue, clockWatch: clockWatch, logger: Logger(label: "evald.queue"))
        let configPath = configuration.sourcePath
        let windowCount = configuration.windows.count
        return DaemonParts(
            services: [
                Named(name: "alerts", service: alerts),
                Named(name: "forwarder", service: ForwarderService(forwarder: forwarder, outbox: outbox, board: board,
                                                                  drainLimit: .seconds(15), logger: logger)),
                Named(name: "defaults", service: DefaultRatingService(pipeline: pipeline, logger: logger)),
                Named(name: "devices", service: devices),
                Named(name: "housekeeping", service: housekeeping),
                Named(name: "deadlines", service: deadlines),
                Named(name: "clock-set", service: ClockSetService(doorbells: [pipeline.casesChanged, followUpRecorded],
                                                                  logger: logger)),
                Named(name: "control", service: control),
            ] + apiServices + MonthlyReportService.named(configuration, queue: queue, calendar: calendar.calendar, clockWatch: clockWatch),
            reload: {
                guard let configPath else { return .failure(DaemonError("no configuration file to reload")) }
                let fresh: AgentConfiguration
                let freshRules: ScanRuleSet
                do {
                    fresh = try ConfigurationLoader.load(path: configPath).get()
                    freshRules = try fresh.scanRules()
                } catch {
                    return .failure(error)
                }
                let freshProfiles = fresh.deviceProfiles()
                for problem in freshProfiles.problems { logger.warning("device profile skipped: \(problem)") }
                await pipeline.reload(settings(fresh, rules: freshRules, catalog: freshProfiles.catalog))
                var freshHub = fresh.deviceHubConfiguration(catalog: freshProfiles.catalog, prompts: promptPorts)
                freshHub.serialCounters = serialCounters
                devices.restart(with: freshHub)
                return .success("\(fresh.windows.count) window(s), \(fresh.deviceBindings.count) binding(s), \(freshProfiles.catalog.profiles.count) profile(s), \(freshRules.rules.count) scan rule(s)")
            },
            statusLine: { "\(windowCount) window(s); queue \(configuration.queueConfiguration.path)" },
            close: {
                queue.close()
            },
            queue: queue
        )
    }

    static func settings(_ configuration: AgentConfiguration, rules: ScanRuleSet, catalog: ProfileCatalog) -> CounterPipeline.Settings {
        CounterPipeline.Settings(
            windows: configuration.windowConfigurations,
            bindings: configuration.deviceBindings,
            rules: rules,
            policy: configuration.sessionPolicy,
            defaultRatings: configuration.sessions.defaultRatings,
            scanners: Set(configuration.deviceBindings.filter { binding in
                binding.profile.flatMap(catalog.profile(named:))?.role == .scanner
            }.map(\.deviceId))
        )
    }

    /// Operator requests arriving on the control socket, already allowed for
    /// `peer` (`ControlAccess`). The operator in the audit trail is `peer`, as
    /// the kernel named it; the request's name is recorded only as claimed.
    static func handle(_ request: ControlRequest, from peer: ControlPeer, queue: EvaluationQueue, auditLog: AuditLog,
                       followUpRecorded: Doorbell<ContinuousClock>, prompter: CounterPrompter, logger: Logger) async -> ControlResponse {
        let actor = peer.actor(claimedName: request.operatorName)
        let who = "uid \(actor.uid) \(actor.name)"
        switch request.verb {
        case .prompt:
            guard let deviceId = request.deviceId, let prompt = request.prompt else {
                return ControlResponse(ok: false, message: "prompt needs a deviceId and a prompt (invite, thanks, timeout)")
            }
            switch await prompter.trial(prompt, deviceId: deviceId) {
            case .success(let action):
                logger.notice("operator \(who): prompt \(prompt.rawValue) sent to \(AuditText.escape(deviceId)) (\(action))")
                return ControlResponse(ok: true, message: "sent \(prompt.rawValue) to \(deviceId): \(action)")
            case .failure(let failure):
                return ControlResponse(ok: false, message: "\(failure)")
            }
        case .followUp:
            let response = await FollowUpRecording.handle(request, actor: actor, queue: queue, auditLog: auditLog, logger: logger)
            if response.ok {
                logger.notice("operator \(who): \(response.message)")
                followUpRecorded.ring()
            }
            return response
        case .reveal:
            let id = request.evaluationId.flatMap { EvaluationID($0) }
            if request.evaluationId != nil && id == nil {
                return ControlResponse(ok: false, message: "not an evaluationId: \(request.evaluationId ?? "")")
            }
            let entry = AuditEntry(at: Date(), actor: actor, verb: "reveal", evaluationId: id, detail: request.detail ?? "personal data shown")
            do {
                try await queue.recordAudit(entry)
            } catch {
                logger.error("operator \(who): reveal NOT recorded, refused: \(error)")
                return ControlResponse(ok: false, message: "the audit row could not be written: \(error)")
            }
            auditLog.mirror(entry) { logger.error("\($0)") }
            logger.notice("operator \(who): personal data revealed (\(entry.detail))")
            return ControlResponse(ok: true, message: "recorded")
        case .ping:
            return ControlResponse(ok: true, message: "pong")
        case .retry, .drop, .release:
            guard let text = request.evaluationId, let id = EvaluationID(text) else {
                return ControlResponse(ok: false, message: "not an evaluationId: \(request.evaluationId ?? "(none)")")
            }
            do {
                let verb: QueueRepair.Verb = switch request.verb {
                case .retry: .retry
                case .release: .release
                default: .drop
                }
                let message = try await QueueRepair.apply(verb, id: id, queue: queue, auditLog: auditLog, actor: actor, logger: logger)
                logger.notice("operator \(who): \(message)")
                return ControlResponse(ok: true, message: message)
            } catch {
                return ControlResponse(ok: false, message: "\(error)")
            }
        }
    }
}
