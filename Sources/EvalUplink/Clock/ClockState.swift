import Foundation

/// How far the agent trusts its own wall clock. Reported in the uplink status
/// and logged on every change; see docs/uplink.md "Clock sanity".
public enum ClockState: Sendable, Hashable, Codable, CustomStringConvertible {
    case unknown
    /// The kernel says NTP (or timesyncd/chrony) keeps the clock in sync.
    case synchronized
    /// The kernel flags the clock STA_UNSYNC: nothing disciplines it (yet).
    case unsynchronized
    /// The wall clock reads earlier than this build was made: certainly wrong
    /// (no RTC battery, first boot).
    case beforeBuildFloor(Date)
    /// The wall clock moved by this many seconds relative to the monotonic
    /// clock since the previous sample (NTP step, manual `date -s`).
    case jumped(by: TimeInterval)

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .synchronized: "synchronized"
        case .unsynchronized: "not synchronized (kernel STA_UNSYNC)"
        case .beforeBuildFloor(let date): "before build date (reads \(date))"
        case .jumped(let seconds): "jumped by \(Int(seconds.rounded())) s"
        }
    }
}
