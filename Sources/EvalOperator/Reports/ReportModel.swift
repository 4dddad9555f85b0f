import EvalCore

/// A 通报 for one period, grouped one way: computed from rollup rows alone
/// (pure: no store, no clock), so a report from one PC, from a merge of many,
/// and the daemon's monthly file are the same computation.
public struct ReportModel: Sendable {
    public enum Grouping: String, Sendable, CaseIterable, Codable {
        case dept, window, staff, task, day

        public var heading: String {
            switch self {
            case .dept: "部门 dept"
            case .window: "窗口 window"
            case .staff: "工作人员 staff"
            case .task: "事项 task"
            case .day: "日期 day"
            }
        }
    }

    public struct Row: Sendable {
        /// What the row is grouped by: a code, a login, a day.
        public var key: String
        /// What people read: a name where the rollup has one, else the key.
        public var label: String
        public var figures: ReportFigures
        /// The same group in the previous period (nil: absent then).
        public var previous: ReportFigures?
    }

    /// A bad review past its deadline and not rectified, named (no evaluator data).
    public struct OverdueCase: Sendable, Hashable {
        public var evaluationId: String
        public var windowCode: String
        public var staffLogin: String?
        public var ratedOn: CivilDate
        public var deadline: CivilDate

        public init(evaluationId: String, windowCode: String, staffLogin: String?, ratedOn: CivilDate, deadline: CivilDate) {
            self.evaluationId = evaluationId
            self.windowCode = windowCode
            self.staffLogin = staffLogin
            self.ratedOn = ratedOn
            self.deadline = deadline
        }
    }

    /// A bad-review reason code (GB/T 39734 `evalDetail`) and how often it was given.
    public struct ReasonCount: Sendable, Hashable {
        public var code: String
        public var label: String?
        public var count: Int

        public init(code: String, label: String? = nil, count: Int) {
            self.code = code
            self.label = label
            self.count = count
        }
    }

    public var period: ReportPeriod
    public var grouping: Grouping
    public var rows: [Row]
    public var overall: ReportFigures
    public var previousOverall: ReportFigures?
    /// Per day over the whole report (the trend chart), every day of the period.
    public var days: [(day: CivilDate, figures: ReportFigures)]
    /// Per window (the satisfaction chart), whatever the grouping.
    public var windows: [(key: String, figures: ReportFigures)]
    public var overdue: [OverdueCase]
    /// nil: the store keeps no reasons (no `evalDetail` column yet), so none are shown.
    public var reasons: [ReasonCount]?

    public init(period: ReportPeriod, grouping: Grouping, rows: [RollupRow], previousRows: [RollupRow] = [],
                overdue: [OverdueCase] = [], reasons: [ReasonCount]? = nil) {
        self.period = period
        self.grouping = grouping
        let current = rows.filter { period.contains($0.key.day) }
        let before = previousRows.filter { period.previous.contains($0.key.day) }
        let grouped = Self.group(current, by: grouping)
        let previous = Self.group(before, by: grouping)
        self.rows = grouped.map { key, value in
            Row(key: key, label: value.label, figures: ReportFigures(value.counts), previous: previous[key].map { ReportFigures($0.counts) })
        }.sorted { $0.key < $1.key }
        overall = ReportFigures(current.reduce(into: RollupRow.Counts()) { $0 += $1.counts })
        previousOverall = before.isEmpty ? nil : ReportFigures(before.reduce(into: RollupRow.Counts()) { $0 += $1.counts })
        let byDay = Self.group(current, by: .day)
        days = (0..<period.days).map { offset in
            let day = period.from.adding(days: offset)
            return (day, ReportFigures(byDay[day.description]?.counts ?? RollupRow.Counts()))
        }
        windows = Self.group(current, by: .window).map { ($0.key, ReportFigures($0.value.counts)) }.sorted { $0.key < $1.key }
        self.overdue = overdue.sorted { ($0.deadline, $0.evaluationId) < ($1.deadline, $1.evaluationId) }
        self.reasons = reasons?.sorted { ($1.count, $0.code) < ($0.count, $1.code) }
    }

    static func group(_ rows: [RollupRow], by grouping: Grouping) -> [String: (label: String, counts: RollupRow.Counts)] {
        var groups: [String: (label: String, counts: RollupRow.Counts)] = [:]
        for row in rows {
            let key: String, label: String
            switch grouping {
            case .dept: (key, label) = (row.key.deptCode, row.deptName ?? (row.key.deptCode.isEmpty ? "(none)" : row.key.deptCode))
            case .window:
                key = row.key.windowCode
                label = row.hallCode.map { "\($0)/\(row.key.windowCode)" } ?? row.key.windowCode
            case .staff:
                key = row.key.staffLogin
                label = row.key.staffLogin.isEmpty ? "(none)" : row.staffName.map { "\($0)(\(row.key.staffLogin))" } ?? row.key.staffLogin
            case .task: (key, label) = (row.key.taskCode, row.taskName ?? (row.key.taskCode.isEmpty ? "(none)" : row.key.taskCode))
            case .day: (key, label) = (row.key.day.description, row.key.day.description)
            }
            // In place (no copy of the entry's counts per row: a year of a hall is 150 000 rows).
            groups[key, default: (label, RollupRow.Counts())].counts += row.counts
            // A name beats the bare code a nameless row (a filtered press) gives.
            if let current = groups[key]?.label, current != label, current == key || current == "(none)" { groups[key]!.label = label }
        }
        return groups
    }
}
