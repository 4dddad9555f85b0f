import EvalCore
import Foundation

/// Never send an assessTime known to be wrong (the platform files every
/// evaluation under it). Decides, for one claimed record and the clock's
/// current judgement, whether it goes as it is, goes re-dated, waits for the
/// platform's clock, or is held for an operator. Pure: the forwarder
/// performs the verdict. The platform's offset is used for `X-Timestamp`
/// only, never here.
public enum AssessTimeCheck {
    public enum Verdict: Sendable, Hashable {
        /// Its time is trusted: send it as queued.
        case send
        /// Stamped while the clock was untrusted; this copy carries the time
        /// reconstructed from a trusted anchor of the same boot (trusted wall
        /// time − boottime elapsed since). Store it, then send it.
        case redate(Evaluation)
        /// Stamped in this boot, and no anchor yet: ask the platform's clock
        /// (a `Date` header), then decide again.
        case waitForClock
        /// No trusted time can be had: kept, pending, with this reason as its
        /// last error, until an operator releases it (`evalctl queue release`).
        case hold(reason: String)
    }

    /// What to do with a record from an earlier boot that never had a trusted clock.
    public enum UncertainPolicy: String, Sendable, Hashable, CaseIterable {
        /// Keep it and alert the operator (the default).
        case hold
        /// Send it with the wall time it was stamped with.
        case send
    }

    public static let beforeBuildDate = "time-uncertain: assessTime before the build date (the clock had lost its time); held, not sent"
    public static let earlierBoot = "time-uncertain: made in an earlier boot while the clock was not trusted; held, not sent"
    public static let waiting = "time-uncertain: waiting for a trusted clock (the platform's Date) to date it"
    /// How long a held record waits before it is looked at again.
    public static let holdInterval: TimeInterval = 3600
    /// How long a record waiting for the platform's clock waits when no answer came.
    public static let waitInterval: TimeInterval = 5

    public static func verdict(for evaluation: Evaluation, clock trust: ClockTrust,
                               uncertain policy: UncertainPolicy = .hold) -> Verdict {
        guard let recorded = evaluation.recordedTime, !recorded.trusted else {
            return evaluation.assessedAt < trust.buildFloor ? .hold(reason: beforeBuildDate) : .send
        }
        if let wall = trust.wallTime(bootID: recorded.bootID, boot: recorded.boot) {
            var redated = evaluation
            // Whole milliseconds: what the platform sees is whole seconds anyway.
            redated.assessedAt = Date(timeIntervalSince1970: (wall.timeIntervalSince1970 * 1000).rounded() / 1000)
            redated.recordedTime?.trusted = true
            return .redate(redated)
        }
        if recorded.bootID == trust.bootID { return .waitForClock }
        switch policy {
        case .hold: return .hold(reason: earlierBoot)
        case .send: return evaluation.assessedAt < trust.buildFloor ? .hold(reason: beforeBuildDate) : .send
        }
    }
}
