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
