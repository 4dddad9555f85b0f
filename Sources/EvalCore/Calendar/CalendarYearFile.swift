/// One year of the State Council's holiday arrangement (节假日安排), as shipped in
/// `config/calendars/<year>.json`. The calendar is data, not code (rule 3), so a
/// technician drops next year's file in when the notice is published each autumn.
///
/// ```json
/// { "year": 2025, "source": "国办发明电〔2024〕12号 …",
///   "holidays": [ { "name": "春节", "from": "2025-01-28", "to": "2025-02-04" } ],
///   "adjustedWorkdays": [ { "date": "2025-01-26", "name": "春节" } ] }
/// ```
public struct CalendarYearFile: Codable, Hashable, Sendable {
    public struct Holiday: Codable, Hashable, Sendable {
        public var name: String
        public var from: CivilDate
        public var to: CivilDate

        public init(name: String, from: CivilDate, to: CivilDate) {
            self.name = name
            self.from = from
            self.to = to
        }

        public var days: [CivilDate] {
            guard from <= to else { return [] }
            return (from.daysSinceEpoch...to.daysSinceEpoch).map(CivilDate.init(daysSinceEpoch:))
        }
    }

    /// A weekend day worked in exchange for a holiday (调休上班).
    public struct AdjustedWorkday: Codable, Hashable, Sendable {
        public var date: CivilDate
        public var name: String?

        public init(date: CivilDate, name: String? = nil) {
            self.date = date
            self.name = name
        }
    }

    public var year: Int
    /// Where the dates come from (the notice's number), and any doubt about them.
    public var source: String
    public var holidays: [Holiday]
    public var adjustedWorkdays: [AdjustedWorkday]

    public init(year: Int, source: String, holidays: [Holiday], adjustedWorkdays: [AdjustedWorkday]) {
        self.year = year
        self.source = source
        self.holidays = holidays
        self.adjustedWorkdays = adjustedWorkdays
    }

    /// Problems that make the file untrustworthy: a date outside its year, a
    /// range backwards, a day both holiday and workday. Empty when the file is sound.
    public var problems: [String] {
        var found: [String] = []
        var holidayDays = Set<CivilDate>()
        for holiday in holidays {
            if holiday.from > holiday.to { found.append("holiday \(holiday.name): \(holiday.from) is after \(holiday.to)") }
            for day in holiday.days {
                if day.year != year { found.append("holiday \(holiday.name): \(day) is not in \(year)") }
                holidayDays.insert(day)
            }
        }
        for workday in adjustedWorkdays {
            if workday.date.year != year { found.append("adjusted workday \(workday.date) is not in \(year)") }
            if holidayDays.contains(workday.date) { found.append("\(workday.date) is both a holiday and an adjusted workday") }
        }
        return found
    }
}
