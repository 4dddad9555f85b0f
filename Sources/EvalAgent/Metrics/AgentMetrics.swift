import EvalCore
import Foundation
import Synchronization

/// The daemon's counters, incremented by its loops and rendered as
/// Prometheus text on scrape. Queue gauges are read at scrape time through
/// `queueGauges`, so they are never stale.
public final class AgentMetrics: Sendable {
    public struct QueueGauges: Sendable {
        public var countsByState: [String: Int]
        public var oldestPendingAgeSeconds: Double?

        public init(countsByState: [String: Int], oldestPendingAgeSeconds: Double?) {
            self.countsByState = countsByState
            self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
        }
    }

    private struct Counters {
        var deliveries = 0
        var retries = 0
        var rejections = 0
        var pressesByRating: [Rating: Int] = [:]
        var filteredByReason: [String: Int] = [:]
        var scans = 0
        var devicesOnline = 0
        var enqueueFailures = 0
    }

    private let counters = Mutex(Counters())
    private let queueGaugesProvider = Mutex<(@Sendable () async -> QueueGauges?)?>(nil)
    private let followUpGaugesProvider = Mutex<(@Sendable () async -> FollowUpGauges?)?>(nil)

    public init() {}

    public func setQueueGauges(_ provider: @escaping @Sendable () async -> QueueGauges?) {
        queueGaugesProvider.withLock { $0 = provider }
    }

    public func setFollowUpGauges(_ provider: @escaping @Sendable () async -> FollowUpGauges?) {
        followUpGaugesProvider.withLock { $0 = provider }
    }

    public func recordOutcomes(_ outcomes: [DeliveryOutcome]) {
        counters.withLock { c in
            for outcome in outcomes {
                switch outcome {
                case .delivered: c.deliveries += 1
                case .rejected: c.rejections += 1
                case .retry: c.retries += 1
                }
            }
        }
    }

    public func recordPress(_ rating: Rating) { counters.withLock { $0.pressesByRating[rating, default: 0] += 1 } }
    public func recordFiltered(reason: String) { counters.withLock { $0.filteredByReason[reason, default: 0] += 1 } }
    public func recordScan() { counters.withLock { $0.scans += 1 } }
    public func recordEnqueueFailure() { counters.withLock { $0.enqueueFailures += 1 } }
    public func setDevicesOnline(_ count: Int) { counters.withLock { $0.devicesOnline = count } }

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
            metric("evald_queue_oldest_pending_age_seconds", "gauge", "Age of the oldest pending record (0 when none).",
                   [("", String(format: "%.3f", gauges.oldestPendingAgeSeconds ?? 0))])
        }
        let followUpProvider = followUpGaugesProvider.withLock { $0 }
        if let followUps = await followUpProvider?() {
            for sample in followUps.samples { metric(sample.name, "gauge", sample.help, [("", sample.value)]) }
        }
        metric("evald_deliveries_total", "counter", "Records the platform accepted (accepted or duplicate).", [("", "\(c.deliveries)")])
        metric("evald_retries_total", "counter", "Records sent back to pending for a retry.", [("", "\(c.retries)")])
        metric("evald_rejections_total", "counter", "Records the platform rejected (dead letters).", [("", "\(c.rejections)")])
        metric("evald_devices_online", "gauge", "Bound keypads and scanners currently attached.", [("", "\(c.devicesOnline)")])
        metric("evald_presses_total", "counter", "Accepted button presses by rating.",
               Rating.allCases.map { ("{rating=\"\($0.rawValue)\"}", "\(c.pressesByRating[$0] ?? 0)") })
        metric("evald_filtered_presses_total", "counter", "Presses filtered by rule 2 (one service, one evaluation), by reason.",
               c.filteredByReason.isEmpty ? [("{reason=\"none\"}", "0")]
                   : c.filteredByReason.sorted { $0.key < $1.key }.map { ("{reason=\"\($0.key)\"}", "\($0.value)") })
        metric("evald_scans_total", "counter", "Scans read from scanners.", [("", "\(c.scans)")])
        metric("evald_enqueue_failures_total", "counter", "Evaluations the queue refused (full, disk).", [("", "\(c.enqueueFailures)")])
        return out
    }
}
