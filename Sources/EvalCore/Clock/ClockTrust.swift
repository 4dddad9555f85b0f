import Foundation

/// A (wall, boottime) pair known to be right, within one boot: what an
/// evaluation stamped with an untrusted wall clock is re-dated from.
public struct TimeAnchor: Sendable, Hashable, Codable {
    /// `/proc/sys/kernel/random/boot_id`: boottime instants compare only within one boot.
    public var bootID: String
    /// Seconds since boot on `CLOCK_BOOTTIME` (counts suspend, never jumps).
    public var boot: TimeInterval
    /// The true wall time at `boot`.
    public var wall: Date

    public init(bootID: String, boot: TimeInterval, wall: Date) {
        self.bootID = bootID
        self.boot = boot
        self.wall = wall
    }

    /// The wall time of the instant `boot` of boot `bootID` — trusted wall time
    /// minus the boottime elapsed since — or nil for another boot, where
    /// boottime says nothing.
    public func reconstruct(bootID other: String, boot instant: TimeInterval) -> Date? {
        guard other == bootID else { return nil }
        return wall + (instant - boot)
    }
}

/// Whether the wall clock may date an evaluation: a pure state machine over
/// what the I/O layer observes (`ClockSample`s with the kernel's STA_UNSYNC
/// from adjtimex, and the platform's `Date` answers). Trusted when the kernel
/// reports synchronised or the platform agrees within `tolerance`; untrusted
/// before the build date, after a jump (wall vs CLOCK_BOOTTIME) until trust
/// is re-established, or while unsynchronised with no agreeing platform
/// answer. It keeps the latest `TimeAnchor` for reconstruction — from a
/// trusted sample, or from the platform's own `Date` when ours is wrong.
public struct ClockTrust: Sendable, Hashable {
    public enum Basis: String, Sendable, Hashable, Codable {
        case kernelSynchronized = "kernel-synchronized"
        case platformAgrees = "platform-agrees"
    }

    public enum Reason: Sendable, Hashable, Codable {
        /// No evidence either way yet (adjtimex unavailable, no platform answer).
        case noEvidence
        case unsynchronized
        case beforeBuildDate(Date)
        case jumped(by: TimeInterval)
        /// The platform's `Date` differs from our wall clock by this much.
        case platformDisagrees(offset: TimeInterval)
    }

    public enum State: Sendable, Hashable, Codable {
        case trusted(Basis)
        case untrusted(Reason)

        public var isTrusted: Bool { if case .trusted = self { true } else { false } }
    }

    /// Updated whenever this line is touched in a release; a clock earlier
    /// than this is a PC whose RTC lost power.
    public static let buildFloor = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    public let bootID: String
    public var buildFloor: Date
    public var jumpThreshold: TimeInterval
    /// How far the platform's `Date` (1 s resolution, plus latency) may differ and still agree.
    public var tolerance: TimeInterval

    public private(set) var state = State.untrusted(.noEvidence)
    public private(set) var anchor: TimeAnchor?
    private var previous: ClockSample?
    /// A jump or a platform disagreement since trust was last established.
    private var platformTrustValid = false

    public init(bootID: String, buildFloor: Date = ClockTrust.buildFloor, jumpThreshold: TimeInterval = 2, tolerance: TimeInterval = 5) {
        self.bootID = bootID
        self.buildFloor = buildFloor
        self.jumpThreshold = jumpThreshold
        self.tolerance = tolerance
    }

    /// A periodic reading of wall, boottime and the kernel's sync flag.
    @discardableResult
    public mutating func observe(_ sample: ClockSample) -> State {
        defer { previous = sample }
        if sample.wall < buildFloor {
            platformTrustValid = false
            // The platform's word on how wrong we are says more than the floor does.
            if case .untrusted(.platformDisagrees) = state { return state }
            return set(.untrusted(.beforeBuildDate(sample.wall)))
        }
        if let previous {
            let drift = sample.wall.timeIntervalSince(previous.wall) - (sample.boot - previous.boot)
            if abs(drift) > jumpThreshold {
                platformTrustValid = false
                return set(.untrusted(.jumped(by: drift)))
            }
        }
        switch sample.kernelUnsynchronized {
        case .some(false):
            return trust(.kernelSynchronized, sample)
        case .some(true) where platformTrustValid, .none where platformTrustValid:
            return trust(.platformAgrees, sample)
        case .some(true):
            return set(.untrusted(.unsynchronized))
        case .none:
            if case .untrusted(.jumped) = state { return state }
            if case .untrusted(.platformDisagrees) = state { return state }
            return set(.untrusted(.noEvidence))
        }
    }

    /// The platform's `Date` header, read at `sample` (our clocks when the answer arrived).
    @discardableResult
    public mutating func platformDate(_ date: Date, at sample: ClockSample) -> State {
        let offset = date.timeIntervalSince(sample.wall)
        if abs(offset) <= tolerance && sample.wall >= buildFloor {
            platformTrustValid = true
            previous = sample
            if case .trusted(.kernelSynchronized) = state { return state }
            return trust(.platformAgrees, sample)
        }
        platformTrustValid = false
        // Our clock is wrong, but the platform's is a trusted reading of the true time.
        anchor = TimeAnchor(bootID: bootID, boot: sample.boot, wall: date)
        return set(.untrusted(.platformDisagrees(offset: offset)))
    }

    /// The true wall time of an input stamped at `boot` in boot `bootID`,
    /// whatever the wall clock read then: reconstructed from the latest
    /// anchor of the same boot (boottime never jumps, so an anchor from
    /// before a jump still holds); nil when no anchor of that boot exists —
    /// the evaluation's time is uncertain and it must not be sent as is.
    public func wallTime(bootID other: String, boot instant: TimeInterval) -> Date? {
        anchor?.reconstruct(bootID: other, boot: instant)
    }

    private mutating func trust(_ basis: Basis, _ sample: ClockSample) -> State {
        anchor = TimeAnchor(bootID: bootID, boot: sample.boot, wall: sample.wall)
        return set(.trusted(basis))
    }

    private mutating func set(_ new: State) -> State {
        state = new
        return new
    }
}
