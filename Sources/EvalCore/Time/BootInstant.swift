import Foundation

/// An instant on `CLOCK_BOOTTIME`: time since this boot, counting suspend,
/// never set or slewed. Input is stamped with it at the device, so debounce,
/// minimum intervals and re-dating an evaluation do not depend on when the
/// pipeline got round to the input, nor on what the wall clock said.
///
/// Pure arithmetic here; reading the kernel's clock (`BootInstant.now`) is
/// I/O and lives with the device readers (EvalDevices).
public struct BootInstant: InstantProtocol, Sendable, Hashable, Codable {
    public var sinceBoot: Duration

    public init(sinceBoot: Duration) { self.sinceBoot = sinceBoot }
    public init(seconds: TimeInterval) { sinceBoot = .nanoseconds(Int64((seconds * 1e9).rounded())) }

    public var seconds: TimeInterval { sinceBoot.seconds }

    public func advanced(by duration: Duration) -> BootInstant { BootInstant(sinceBoot: sinceBoot + duration) }
    public func duration(to other: BootInstant) -> Duration { other.sinceBoot - sinceBoot }
    public static func < (lhs: BootInstant, rhs: BootInstant) -> Bool { lhs.sinceBoot < rhs.sinceBoot }
}

/// When an input happened, stamped on the reader thread from the device's own
/// time (the kernel's event time, the USB transfer's completion, the read):
/// the wall reading (what `assessTime` is made of, if the clock deserves
/// trust) and the boottime instant (what durations and re-dating use).
public struct InputStamp: Sendable, Hashable {
    public var wall: Date
    public var boot: BootInstant

    public init(wall: Date, boot: BootInstant) {
        self.wall = wall
        self.boot = boot
    }

    /// The stamp of something that happened `age` ago (clamped at zero).
    public func earlier(by age: Duration) -> InputStamp {
        let age = max(age, .zero)
        return InputStamp(wall: wall - age.seconds, boot: BootInstant(sinceBoot: boot.sinceBoot - age))
    }
}

/// Where an evaluation's time came from: the boot and the boottime instant of
/// its input, and whether the wall clock deserved trust when it was dated.
/// An untrusted time is re-dated from a trusted anchor of the same boot
/// before it is sent; one from a boot that never had a trusted clock is held
/// (time-uncertain) until an operator releases it.
public struct RecordedTime: Sendable, Hashable, Codable {
    /// `/proc/sys/kernel/random/boot_id` of the boot that stamped the input.
    public var bootID: String
    /// Seconds since that boot on `CLOCK_BOOTTIME`.
    public var boot: TimeInterval
    /// The wall clock was trusted (or the time was reconstructed from a trusted anchor).
    public var trusted: Bool

    public init(bootID: String, boot: TimeInterval, trusted: Bool) {
        self.bootID = bootID
        self.boot = boot
        self.trusted = trusted
    }
}
