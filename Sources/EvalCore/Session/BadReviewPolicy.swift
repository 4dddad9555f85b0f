import Foundation

/// Rule 4: a bad review (不满意, 非常不满意) is rectified within 15 working days;
/// a real-name one also needs a call-back (回访).
public struct BadReviewPolicy: Sendable {
    public var calendar: WorkingDayCalendar
    public var rectificationWorkingDays: Int

    public init(calendar: WorkingDayCalendar, rectificationWorkingDays: Int = 15) {
        self.calendar = calendar
        self.rectificationWorkingDays = rectificationWorkingDays
    }

    /// The last day of rectification: the 15th working day after the day of the rating.
    public func rectificationDeadline(for evaluation: Evaluation) -> CivilDate {
        calendar.adding(workingDays: rectificationWorkingDays, to: ShanghaiTime.civilDate(evaluation.assessedAt))
    }

    public static func needsCallBack(_ evaluation: Evaluation) -> Bool {
        evaluation.isBadReview && evaluation.evaluator != nil
    }
}
