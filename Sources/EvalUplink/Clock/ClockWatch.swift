import EvalCore
import Foundation
import Synchronization

/// The agent's one judgement of the wall clock (`ClockTrust`), shared by the
/// pipeline (which dates each input with it) and the forwarder (which feeds
/// it the platform's `Date` and re-dates what was stamped while untrusted).
/// Fed a sample of the clocks on each question, so a jump is seen at the
/// next input, not at the forwarder's next wake-up.
public final class ClockWatch: Sendable {
    public let bootID: String
    private let sampler: @Sendable () -> ClockSample
    private let state: Mutex<State>

    private struct State {
        var trust: ClockTrust
        var platformOffset: TimeInterval?
        var reported: ClockReport?
        var listeners: [@Sendable (ClockReport) -> Void] = []
    }

    public init(bootID: String = SystemClockProbe.bootID, buildFloor: Date = ClockTrust.buildFloor,
                sampler: @escaping @Sendable () -> ClockSample = SystemClockProbe.sample) {
        self.bootID = bootID
        self.sampler = sampler
        state = Mutex(State(trust: ClockTrust(bootID: bootID, buildFloor: buildFloor)))
    }

    /// Called (outside the lock) with each new judgement, whoever observed it.
    public func onChange(_ listener: @escaping @Sendable (ClockReport) -> Void) {
        state.withLock { $0.listeners.append(listener) }
    }

    /// The judgement at the last observation.
    public var last: ClockReport { state.withLock { ClockReport($0.trust.state, platformOffset: $0.platformOffset) } }

    /// A copy of the state machine, for decisions that need its anchor.
    public var judgement: ClockTrust { state.withLock { $0.trust } }

    /// Samples the clocks; returns the new report if the judgement changed.
    @discardableResult
    public func observeChange() -> ClockReport? {
        let sample = sampler()
        return update { $0.observe(sample) }
    }

    /// The platform answered with this `Date`; returns the new report if the judgement changed.
    @discardableResult
    public func platformAnswered(date: Date) -> ClockReport? {
        let sample = sampler()
        return update { trust in
            trust.platformDate(date, at: sample)
            return trust.state
        } offset: { date.timeIntervalSince(sample.wall) }
    }

    /// The time an input stamped at `stamp` is to be dated with: its wall
    /// reading while the clock is trusted, else the wall time reconstructed
    /// from a trusted anchor of this boot (a jump, a platform that says our
    /// clock is wrong); only when neither exists the wall reading, marked
    /// untrusted so the forwarder re-dates it before it is sent.
    public func date(_ stamp: InputStamp) -> (wall: Date, recorded: RecordedTime) {
        observeChange()
        let bootID = self.bootID
        return state.withLock { state in
            let boot = stamp.boot.seconds
            let trust = state.trust
            if trust.state.isTrusted {
                return (stamp.wall, RecordedTime(bootID: bootID, boot: boot, trusted: true))
            }
            if let wall = trust.wallTime(bootID: bootID, boot: boot) {
                return (wall, RecordedTime(bootID: bootID, boot: boot, trusted: true))
            }
            return (stamp.wall, RecordedTime(bootID: bootID, boot: boot, trusted: false))
        }
    }

    /// Now, on trusted time: the wall clock while trusted, else reconstructed
    /// from this boot's anchor; nil with no evidence at all. Retention,
    /// default ratings and deadlines run on this, never on a wall clock known
    /// to be wrong.
    public func trustedNow() -> Date? {
        observeChange()
        let sample = sampler()
        let bootID = self.bootID
        return state.withLock { state in
            if state.trust.state.isTrusted { return sample.wall }
            return state.trust.wallTime(bootID: bootID, boot: sample.boot)
        }
    }

    private func update(_ change: (inout ClockTrust) -> ClockTrust.State, offset: () -> TimeInterval? = { nil }) -> ClockReport? {
        let (report, listeners): (ClockReport?, [@Sendable (ClockReport) -> Void]) = state.withLock { state in
            _ = change(&state.trust)
            if let fresh = offset() { state.platformOffset = fresh }
            let report = ClockReport(state.trust.state, platformOffset: state.platformOffset)
            // The offset alone is no change: only a new state word is reported.
            guard report.state != state.reported?.state else { return (nil, []) }
            state.reported = report
            return (report, state.listeners)
        }
        if let report { for listener in listeners { listener(report) } }
        return report
    }
}

extension ClockWatch {
    /// A watch that reads the real clocks but takes the kernel's word that
    /// they are synchronised: for benchmarks and tests that are not about
    /// the clock, on machines (CI, containers) whose NTP state says nothing.
    public static func assumingSynchronized(bootID: String = SystemClockProbe.bootID) -> ClockWatch {
        ClockWatch(bootID: bootID) {
            ClockSample(wall: Date(), boot: SystemClockProbe.bootSeconds(), kernelUnsynchronized: false)
        }
    }
}
