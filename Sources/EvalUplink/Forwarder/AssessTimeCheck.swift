import EvalCore
import Foundation

/// Never send an assessTime known to be wrong: an evaluation dated before
/// this build was made was stamped by a clock that had lost its time (no RTC
/// battery, first boot), and the platform would file it under that date.
/// Such a record is held in the queue — pending, with this reason as its
/// last error — until its time is reconstructed or an operator acts; the
/// platform's clock offset is used for `X-Timestamp` only, never here.
public enum AssessTimeCheck {
    public static let reason = "time-uncertain: assessTime before the build date (the clock had lost its time); held, not sent"
    /// How long a held record waits before it is looked at again.
    public static let holdInterval: TimeInterval = 3600

    public static func isKnownWrong(_ evaluation: Evaluation, floor: Date = ClockTrust.buildFloor) -> Bool {
        evaluation.assessedAt < floor
    }
}
