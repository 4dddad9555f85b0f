import EvalDevices
import EvalOperator
import Foundation
import Synchronization

extension AgentMetrics {
    /// The bound devices as the pipeline last published them.
    func setDeviceOffline(_ devices: [AgentStatus.Device]) { deviceOffline.withLock { $0 = devices } }

    /// Every serial line's frame counts, read at each scrape.
    public func setSerialLines(_ provider: @escaping @Sendable () -> [String: SerialLineCounters.Counts]) {
        serialLines.withLock { $0 = provider }
    }

    /// Offline time per bound evaluator, and what each serial line heard.
    func renderDeviceTime(now: Date = Date()) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        let devices = deviceOffline.withLock { $0 }.sorted { $0.deviceId < $1.deviceId }
        func labels(_ device: AgentStatus.Device) -> String { "{device=\"\(device.deviceId)\",window=\"\(device.windowCode ?? "")\"}" }
        metric("evald_device_offline_seconds", "gauge",
               "How long a bound evaluator has been offline now (unplugged, not answering polls; 0 when online): nobody could rate at its window.",
               devices.map { (labels($0), String(format: "%.3f", $0.offlineSince.map { max(0, now.timeIntervalSince($0)) } ?? 0)) })
        metric("evald_device_offline_seconds_total", "counter", "Seconds a bound evaluator was offline since evald started.",
               devices.map { (labels($0), String(format: "%.3f", $0.offlineTotal(at: now))) })
        guard let lines = serialLines.withLock({ $0 })?() else { return out }
        let sorted = lines.sorted { $0.key < $1.key }
        func lineMetric(_ name: String, _ help: String, _ value: (SerialLineCounters.Counts) -> Int) {
            metric(name, "counter", help, sorted.map { ("{line=\"\($0.key)\"}", "\(value($0.value))") })
        }
        lineMetric("evald_serial_frames_total", "Whole frames with a fitting checksum read from a serial evaluator line.") { $0.frames }
        lineMetric("evald_serial_garbled_total", "Noise, cut or overlong frames on a serial line (never a press).") { $0.garbled }
        lineMetric("evald_serial_bad_checksum_total", "Frames on a serial line whose checksum does not fit (never a press).") { $0.badChecksum }
        lineMetric("evald_serial_unbound_address_total", "Key frames from a bus address no window is bound to (ignored).") { $0.unboundAddress }
        lineMetric("evald_serial_unknown_key_total", "Key codes the line's profile maps to no rating (ignored).") { $0.unknownKey }
        lineMetric("evald_serial_poll_timeouts_total", "Polls of a polled serial line that went unanswered.") { $0.pollTimeouts }
        return out
    }
}
