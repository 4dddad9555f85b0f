import EvalCore

/// `[report] monthly_dir`: when evald writes last month's 通报. Pure: the day
/// (from an injected clock, in Asia/Shanghai), the official calendar and what
/// is already in the directory in, the month to write (or nil) out.
///
/// Due on the first working day of a month (after a holiday such as 元旦 or
/// 国庆, the first day the office works), and on any later day of that month
/// if it has not been written yet (evald was stopped that day); never for a
/// month before the one just ended, so a PC switched on after a long pause
/// does not produce a pile of stale reports.
public enum MonthlyReportSchedule {
    public static func due(today: CivilDate, calendar: WorkingDayCalendar, alreadyWritten: (ReportPeriod) -> Bool) -> ReportPeriod? {
        let first = firstWorkingDay(year: today.year, month: today.month, calendar: calendar)
        guard today >= first else { return nil }
        let last = ReportPeriod.month(year: today.year, month: today.month).previous
        return alreadyWritten(last) ? nil : last
    }

    public static func firstWorkingDay(year: Int, month: Int, calendar: WorkingDayCalendar) -> CivilDate {
        var day = CivilDate(year: year, month: month, day: 1)
        while !calendar.isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The files' base name in the directory: `tongbao-2026-11` (ASCII, for any file share).
    public static func baseName(_ period: ReportPeriod) -> String { "tongbao-\(period.label)" }
}
