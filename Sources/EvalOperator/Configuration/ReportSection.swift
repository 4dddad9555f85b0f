import TOMLKit

/// `[report]`: the monthly 通报 evald writes by itself (issue 28).
public struct ReportSection: Sendable, Equatable {
    /// Where last month's report files go on the first working day of the
    /// month (HTML, XLSX, CSV, JSON); nil: no monthly report.
    public var monthlyDirectory: String?

    public init() {}
}

extension ConfigurationMapper {
    func report(_ table: TOMLTable?) -> ReportSection {
        var r = TOMLSectionReader(table: table, section: "report", issues: issues)
        var s = ReportSection()
        if let v = r.string("monthly_dir") {
            if v.hasPrefix("/") {
                s.monthlyDirectory = v
            } else if !v.isEmpty {
                r.error("monthly_dir", "\"\(v)\" must be an absolute path (empty: no monthly report)")
            }
        }
        r.reportUnknownKeys()
        return s
    }
}
