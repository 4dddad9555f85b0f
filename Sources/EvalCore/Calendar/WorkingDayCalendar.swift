/// Working days (工作日) in mainland China: Monday to Friday, minus public
/// holidays, plus the weekend days worked in exchange (调休).
///
/// Years with a `CalendarYearFile` follow it exactly; a year without one falls
/// back to plain Monday–Friday, and `uncoveredYears(from:to:)` says so, so the
/// caller can warn (a missing file must not stop the agent, but it must be seen).
public struct WorkingDayCalendar: Sendable, Hashable {
    private var holidays: Set<CivilDate> = []
    private var adjustedWorkdays: Set<CivilDate> = []
    public private(set) var coveredYears: Set<Int> = []

    public init(years: [CalendarYearFile] = []) {
        for file in years {
            coveredYears.insert(file.year)
            for holiday in file.holidays { holidays.formUnion(holiday.days) }
            for workday in file.adjustedWorkdays { adjustedWorkdays.insert(workday.date) }
        }
    }

    /// Plain Monday–Friday for every year: for tests and as the last resort.
    public static let mondayToFriday = WorkingDayCalendar()

    public func isWorkingDay(_ day: CivilDate) -> Bool {
        if adjustedWorkdays.contains(day) { return true }
        if holidays.contains(day) { return false }
        return day.isoWeekday <= 5
    }

    /// The `count`-th working day strictly after `day` (count ≥ 1).
    /// `adding(workingDays: 5, to: monday)` is the next Monday in a week without holidays.
    public func adding(workingDays count: Int, to day: CivilDate) -> CivilDate {
        precondition(count >= 1, "count working days from 1")
        var current = day
        var remaining = count
        while remaining > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }

    /// Years in the closed range with no calendar file: their holidays are unknown.
    public func uncoveredYears(from start: CivilDate, to end: CivilDate) -> [Int] {
        guard start.year <= end.year else { return [] }
        return (start.year...end.year).filter { !coveredYears.contains($0) }
    }
}
