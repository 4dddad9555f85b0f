import EvalCore
import EvalCounterAPI
import EvalDevices
import EvalOperator
import EvalQueue
import EvalUplink
import Foundation
import Synchronization

/// The daemon's counters, incremented by its loops and rendered as
/// Prometheus text on scrape. Queue gauges are read at scrape time through
/// `queueGauges`, so they are never stale.
public final class AgentMetrics: Sendable {
    public struct QueueGauges: Sendable {
        public var countsByState: [String: Int]
        /// Age of the oldest undelivered record (pending or in flight).
        public var oldestPendingAgeSeconds: Double?
        public var undeliveredBadReviews: Int
        public var waitingForRetry: Int
        public var timeUncertain: Int
        /// The queue file and its WAL, with the free space beside them.
        public var footprint: QueueFootprint?
        /// `[queue] min_free_bytes`: below it new ratings are refused.
        public var minFreeBytes: Int64?

        public init(countsByState: [String: Int], oldestPendingAgeSeconds: Double?, undeliveredBadReviews: Int = 0, waitingForRetry: Int = 0,
                    timeUncertain: Int = 0, footprint: QueueFootprint? = nil, minFreeBytes: Int64? = nil) {
            self.timeUncertain = timeUncertain
            self.footprint = footprint
            self.minFreeBytes = minFreeBytes
            self.countsByState = countsByState
            self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
            self.undeliveredBadReviews = undeliveredBadReviews
            self.waitingForRetry = waitingForRetry
        }
    }

    private struct Counters {
        var deliveries = 0
        var retries = 0
        var rejections = 0
        var pressesByRating: [Rating: Int] = [:]
        var filteredByReason: [String: Int] = [:]
        var scans = 0
        var scansIgnored: [String: Int] = [:]
        var devicesOnline = 0
        var devicesBound = 0
        var failuresByReason: [DeliveryFailureReason: Int] = [:]
        var alertCommandFailures = 0
        var enqueueFailures = 0
        var defaultRefusals = 0
        var ledgerUnavailable = 0
        var storeWriteFailures = 0
        var promptsShown: [CounterPrompt: Int] = [:]
        var promptsFailed: [CounterPrompt: Int] = [:]
        var lastDeliveryAt: Date?
    }

    private let counters = Mutex(Counters())
    private let queueGaugesProvider = Mutex<(@Sendable () async -> QueueGauges?)?>(nil)
    private let followUpGaugesProvider = Mutex<(@Sendable () async -> FollowUpGauges?)?>(nil)
    private let clockProvider = Mutex<(@Sendable () -> ClockReport)?>(nil)
    private let listeners = Mutex<[ConnectionGate]>([])
    private let eventStreams = Mutex<EventBroadcaster?>(nil)
    /// Bound devices' presence and offline time; serial lines' frame counts (issue 25).
    let deviceOffline = Mutex<[AgentStatus.Device]>([])
    let serialLines = Mutex<(@Sendable () -> [String: SerialLineCounters.Counts])?>(nil)

    public init() {}

    /// A local HTTP listener whose connections `/metrics` shows.
    public func addListener(_ gate: ConnectionGate) { listeners.withLock { $0.append(gate) } }

    /// The counter API's event streams, open and refused.
    public func setEventStreams(_ events: EventBroadcaster) { eventStreams.withLock { $0 = events } }

    public func setQueueGauges(_ provider: @escaping @Sendable () async -> QueueGauges?) {
        queueGaugesProvider.withLock { $0 = provider }
    }

    /// The forwarder's clock judgement, read at scrape time.
    public func setClock(_ provider: @escaping @Sendable () -> ClockReport) {
        clockProvider.withLock { $0 = provider }
    }

    public func setFollowUpGauges(_ provider: @escaping @Sendable () async -> FollowUpGauges?) {
        followUpGaugesProvider.withLock { $0 = provider }
    }

    public func recordOutcomes(_ outcomes: [DeliveryOutcome]) {
        counters.withLock { c in
            for outcome in outcomes {
                switch outcome {
                case .delivered:
                    c.deliveries += 1
                    c.lastDeliveryAt = Date()
                case .rejected:
                    c.rejections += 1
                    c.failuresByReason[.rejected, default: 0] += 1
                case .retry(_, _, _, let reason):
                    c.retries += 1
                    c.failuresByReason[reason, default: 0] += 1
                }
            }
        }
    }

    public func recordPress(_ rating: Rating) { counters.withLock { $0.pressesByRating[rating, default: 0] += 1 } }
    public func recordFiltered(reason: String) { counters.withLock { $0.filteredByReason[reason, default: 0] += 1 } }
    public func recordScan() { counters.withLock { $0.scans += 1 } }
    public func recordScanIgnored(reason: String) { counters.withLock { $0.scansIgnored[reason, default: 0] += 1 } }
    public func recordEnqueueFailure() { counters.withLock { $0.enqueueFailures += 1 } }
    public func recordDefaultRefusals(_ count: Int) { counters.withLock { $0.defaultRefusals += count } }
    public func recordLedgerUnavailable() { counters.withLock { $0.ledgerUnavailable += 1 } }
    public func recordStoreWriteFailure() { counters.withLock { $0.storeWriteFailures += 1 } }
    /// A prompt written to a device (`shown`), or a write that failed.
    public func recordPrompt(_ prompt: CounterPrompt, shown: Bool) {
        counters.withLock { counters in
            if shown { counters.promptsShown[prompt, default: 0] += 1 } else { counters.promptsFailed[prompt, default: 0] += 1 }
        }
    }
    /// Devices bound to a window in the configuration, and those of them attached.
    public func setDevices(bound: Int, online: Int) {
        counters.withLock { c in
            c.devicesBound = bound
            c.devicesOnline = online
        }
    }
    /// A run of the alert command (bad review or rectification deadline) that failed.
    public func recordAlertCommandFailure() { counters.withLock { $0.alertCommandFailures += 1 } }

    /// Prometheus text exposition format 0.0.4.
    public func render() async -> String {
        let c = counters.withLock { $0 }
        let provider = queueGaugesProvider.withLock { $0 }
        let gauges = await provider?()
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        if let gauges {
            let states = ["pending", "inflight", "delivered", "rejected"]
            metric("evald_queue_records", "gauge", "Records in the queue by state.",
                   states.map { ("{state=\"\($0)\"}", "\(gauges.countsByState[$0] ?? 0)") })
            metric("evald_queue_oldest_pending_age_seconds", "gauge", "Age of the oldest undelivered record, pending or in flight (0 when none).",
                   [("", String(format: "%.3f", gauges.oldestPendingAgeSeconds ?? 0))])
            metric("evald_queue_undelivered_bad_reviews", "gauge", "Bad reviews not yet delivered (pending or in flight).",
                   [("", "\(gauges.undeliveredBadReviews)")])
            metric("evald_queue_waiting_for_retry", "gauge", "Pending records that failed at least once and wait for their next attempt.",
                   [("", "\(gauges.waitingForRetry)")])
            metric("evald_queue_time_uncertain_records", "gauge", "Pending records held, not sent: made while the clock had lost its time.",
                   [("", "\(gauges.timeUncertain)")])
            if let footprint = gauges.footprint {
                metric("evald_queue_bytes", "gauge", "Size of the queue's SQLite file and its write-ahead log.", [("", "\(footprint.fileBytes)")])
                if let free = footprint.filesystemFreeBytes {
                    metric("evald_queue_filesystem_free_bytes", "gauge", "Bytes evald may still use on the queue's file system (statvfs f_bavail).",
                           [("", "\(free)")])
                }
            }
            if let minimum = gauges.minFreeBytes {
                metric("evald_queue_min_free_bytes", "gauge", "[queue] min_free_bytes: below this much free space new ratings are refused.",
                       [("", "\(minimum)")])
            }
        }
        if let clock = clockProvider.withLock({ $0 })?() {
            metric("evald_clock_trusted", "gauge", "1 when evaluations made now are dated right (NTP or the platform's clock agrees), else 0.",
                   [("{state=\"\(clock.state)\"}", clock.trusted ? "1" : "0")])
            if let offset = clock.platformOffsetSeconds {
                metric("evald_clock_platform_offset_seconds", "gauge", "The platform's Date minus our wall clock at its last answer.",
                       [("", String(format: "%.3f", offset))])
            }
        }
        metric("evald_build_info", "gauge", "Always 1; the labels say which evald this is.",
               [("{version=\"\(EvaldVersion.current)\"}", "1")])
        metric("evald_last_successful_delivery_timestamp_seconds", "gauge",
               "Unix time of the last record the platform accepted since evald started (0: none yet).",
               [("", String(format: "%.3f", c.lastDeliveryAt?.timeIntervalSince1970 ?? 0))])
        let followUpProvider = followUpGaugesProvider.withLock { $0 }
        if let followUps = await followUpProvider?() {
            for sample in followUps.samples { metric(sample.name, "gauge", sample.help, [("", sample.value)]) }
        }
        metric("evald_deliveries_total", "counter", "Records the platform accepted (accepted or duplicate).", [("", "\(c.deliveries)")])
        metric("evald_retries_total", "counter", "Records sent back to pending for a retry.", [("", "\(c.retries)")])
        metric("evald_rejections_total", "counter", "Records the platform rejected (dead letters).", [("", "\(c.rejections)")])
        metric("evald_delivery_failures_total", "counter",
               "Records not delivered at an attempt, by reason (unauthorized: the platform refuses our credentials; rejected: dead letter).",
               DeliveryFailureReason.allCases.map { ("{reason=\"\($0.rawValue)\"}", "\(c.failuresByReason[$0] ?? 0)") })
        metric("evald_devices_bound", "gauge", "Keypads and scanners bound to a window in the configuration.", [("", "\(c.devicesBound)")])
        metric("evald_devices_online", "gauge", "Bound keypads and scanners currently attached.", [("", "\(c.devicesOnline)")])
        out += renderDeviceTime()
        metric("evald_alert_command_failures_total", "counter",
               "Runs of the [alert] command (bad review, rectification deadline) that exited non-zero, were killed, hung or could not start.",
               [("", "\(c.alertCommandFailures)")])
        metric("evald_presses_total", "counter", "Accepted button presses by rating.",
               Rating.allCases.map { ("{rating=\"\($0.rawValue)\"}", "\(c.pressesByRating[$0] ?? 0)") })
        metric("evald_filtered_presses_total", "counter", "Presses filtered by rule 2 (one service, one evaluation), by reason.",
               c.filteredByReason.isEmpty ? [("{reason=\"none\"}", "0")]
                   : c.filteredByReason.sorted { $0.key < $1.key }.map { ("{reason=\"\($0.key)\"}", "\($0.value)") })
        metric("evald_scans_total", "counter", "Scans read from scanners.", [("", "\(c.scans)")])
        // personal-data and unsigned-code always present: an alert on citizens
        // showing ID cards, or on a forged badge, needs the series before the first one.
        metric("evald_scans_ignored_total", "counter",
               "Scans no rule took, by reason; personal-data: an ID, phone or bank card number, refused and stored nowhere; unsigned-code: a code for a signed rule without the hall key's signature.",
               Set(c.scansIgnored.keys).union(["personal-data", "unsigned-code"]).sorted().map { ("{reason=\"\($0)\"}", "\(c.scansIgnored[$0] ?? 0)") })
        metric("evald_enqueue_failures_total", "counter", "Evaluations the queue refused (full, disk).", [("", "\(c.enqueueFailures)")])
        metric("evald_default_rating_refusals_total", "counter", "Default ratings the queue refused; each case stays due and is retried.", [("", "\(c.defaultRefusals)")])
        metric("evald_ledger_unavailable_total", "counter", "Case scans whose ledger state could not be read (presses failed closed).", [("", "\(c.ledgerUnavailable)")])
        metric("evald_store_write_failures_total", "counter", "Case openings or filtered presses the store could not write.", [("", "\(c.storeWriteFailures)")])
        // Every kind and outcome, zeros included: a technician's alert on
        // failed prompts needs the series to exist before the first failure.
        metric("evald_prompts_total", "counter",
               "Prompts (LED, output report) written to evaluators, by prompt and outcome; devices whose profile declares none are not counted.",
               CounterPrompt.allCases.flatMap { prompt in
                   [("{prompt=\"\(prompt.rawValue)\",outcome=\"shown\"}", "\(c.promptsShown[prompt] ?? 0)"),
                    ("{prompt=\"\(prompt.rawValue)\",outcome=\"failed\"}", "\(c.promptsFailed[prompt] ?? 0)")]
               })
        let gates = listeners.withLock { $0 }
        if !gates.isEmpty {
            metric("evald_http_connections", "gauge", "Connections open on evald's local HTTP listeners (api-unix, api-tcp, metrics).",
                   gates.map { ("{listener=\"\($0.name)\"}", "\($0.openConnections)") })
            metric("evald_http_connections_max", "gauge", "The cap on each listener's connections ([api]/[metrics] max_connections).",
                   gates.map { ("{listener=\"\($0.name)\"}", "\($0.limits.maxConnections)") })
            metric("evald_http_connections_refused_total", "counter", "Connections closed at once because their listener was at its cap.",
                   gates.map { ("{listener=\"\($0.name)\"}", "\($0.refusedConnections)") })
            metric("evald_http_connections_timed_out_total", "counter", "Connections closed by the idle or the request-header timeout.",
                   gates.map { ("{listener=\"\($0.name)\"}", "\($0.timedOutConnections)") })
        }
        if let events = eventStreams.withLock({ $0 }) {
            metric("evald_api_event_streams", "gauge", "Counter API event streams (GET /v1/events) open.", [("", "\(events.subscriberCount)")])
            metric("evald_api_event_streams_refused_total", "counter", "Event streams refused because [api] max_event_streams were open.",
                   [("", "\(events.refusedSubscriptions)")])
        }
        if let process = ProcessMetrics.read() {
            metric("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.",
                   [("", String(format: "%.2f", process.cpuSecondsTotal))])
            metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                   [("", String(format: "%.0f", process.residentMemoryBytes))])
            metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                   [("", String(format: "%.0f", process.virtualMemoryBytes))])
            metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                   [("", String(format: "%.2f", process.startTimeSeconds))])
            metric("process_open_fds", "gauge", "Number of open file descriptors.", [("", "\(process.openFileDescriptors)")])
            if let max = process.maxFileDescriptors {
                metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", [("", "\(max)")])
            }
        }
        return out
    }
}
