import Foundation

/// One reading of the clocks that matter.
public struct ClockSample: Sendable, Hashable {
    public var wall: Date
    /// Seconds since boot, counting suspend (`CLOCK_BOOTTIME`): never jumps.
    public var boot: TimeInterval
    /// The kernel's STA_UNSYNC flag (nil when adjtimex is unavailable).
    public var kernelUnsynchronized: Bool?

    public init(wall: Date, boot: TimeInterval, kernelUnsynchronized: Bool?) {
        self.wall = wall
        self.boot = boot
        self.kernelUnsynchronized = kernelUnsynchronized
    }
}

/// Pure judgement over successive samples: a wall-clock jump is a difference
/// between how far `CLOCK_REALTIME` and `CLOCK_BOOTTIME` moved between two
/// samples larger than `jumpThreshold`.
public struct ClockMonitor: Sendable {
    /// Wall time before this instant is certainly wrong (set at build time).
    public var floor: Date
    public var jumpThreshold: TimeInterval
    private var previous: ClockSample?

    public init(floor: Date = ClockMonitor.buildFloor, jumpThreshold: TimeInterval = 2) {
        self.floor = floor
        self.jumpThreshold = jumpThreshold
    }

    /// Updated whenever this file is touched in a release; a clock earlier than
    /// this is a PC whose RTC lost power.
    public static let buildFloor = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// The state after `sample`; a jump is reported once, on the sample that saw it.
    public mutating func observe(_ sample: ClockSample) -> ClockState {
        defer { previous = sample }
        if sample.wall < floor { return .beforeBuildFloor(sample.wall) }
        if let previous {
            let drift = (sample.wall.timeIntervalSince(previous.wall)) - (sample.boot - previous.boot)
            if abs(drift) > jumpThreshold { return .jumped(by: drift) }
        }
        switch sample.kernelUnsynchronized {
        case .some(true): return .unsynchronized
        case .some(false): return .synchronized
        case .none: return .unknown
        }
    }
}
