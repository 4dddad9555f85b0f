import Foundation

/// Rule 3: a case with no rating within 5 working days counts as 基本满意,
/// marked `evaluationType = 2` (`.defaulted`).
///
/// The rating window is the 5 working days *after* the day the case was
/// opened; the default applies at midnight (Asia/Shanghai) after the last of
/// them. A case opened on a Monday of a plain week is due the Tuesday after
/// next at 00:00. Pure: the ledger persists the due instant, and the agent
/// asks "which cases are due at T" after every start and at every due time,
/// so restarts and clock changes only delay a default, never lose or repeat it.
public struct DefaultRatingScheduler: Sendable {
    public var calendar: WorkingDayCalendar
    public var workingDays: Int

    public init(calendar: WorkingDayCalendar, workingDays: Int = 5) {
        self.calendar = calendar
        self.workingDays = workingDays
    }

    public struct Due: Hashable, Sendable {
        /// The last working day on which the citizen can still rate.
        public var lastDay: CivilDate
        /// When the default applies: the start of the day after `lastDay`.
        public var dueAt: Date
        /// Years the computation crossed that have no calendar file (warn!).
        public var uncoveredYears: [Int]
    }

    public func due(openedAt: Date) -> Due {
        let opened = ShanghaiTime.civilDate(openedAt)
        let lastDay = calendar.adding(workingDays: workingDays, to: opened)
        return Due(lastDay: lastDay, dueAt: ShanghaiTime.startOfDay(lastDay.adding(days: 1)),
                   uncoveredYears: calendar.uncoveredYears(from: opened, to: lastDay))
    }

    /// The default evaluation for a case: 基本满意, type 2, anonymous, dated at
    /// its due instant (not at whenever the agent got round to it).
    public static func evaluation(for opening: CaseOpening, dueAt: Date, id: EvaluationID, fallbackDeviceId: String = "evald") -> Evaluation {
        Evaluation(
            evaluationId: id,
            satisfaction: .basicallySatisfied,
            evaluationType: .defaulted,
            assessedAt: dueAt,
            pf: opening.window.pf,
            areaCode: opening.window.areaCode,
            deptCode: opening.window.deptCode,
            deptName: opening.window.deptName,
            hallCode: opening.window.hallCode,
            windowCode: opening.window.windowCode,
            deviceId: opening.deviceId ?? fallbackDeviceId,
            projectNo: opening.ticket.projectNo,
            taskCode: opening.window.task(of: opening.ticket).code,
            taskName: opening.window.task(of: opening.ticket).name,
            evaluatedPersons: opening.staff,
            evaluator: nil,
            // Anonymous: the case's personal fields (mobile, the agent) stay out.
            national: opening.window.national(of: opening.ticket)?.withoutPersonalData
        )
    }
}
