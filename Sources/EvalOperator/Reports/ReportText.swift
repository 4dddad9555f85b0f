import EvalCore
/// `evalctl report` as a table for a terminal or a mail: one line per group
/// and the whole, within 80 columns (`TextTable` drops the optional columns
/// first), then the overdue cases named and the reasons where the store has them.
public enum ReportText {
    public static func render(_ report: ReportModel, width: Int? = 80) -> String {
        let header = [report.grouping.heading, "服务 served", "评价 rated", "参评率", "满意率", "差评率", "默认", "整改率", "回访率", "满意率±"]
        func cells(_ label: String, _ f: ReportFigures, _ previous: ReportFigures?) -> [String] {
            [label, String(f.served), String(f.rated), ReportFigures.percent(f.participation), ReportFigures.percent(f.satisfactionRate),
             ReportFigures.percent(f.badReviewRate), ReportFigures.percent(f.defaultShare), ReportFigures.percent(f.rectificationRate),
             ReportFigures.percent(f.callBackRate), ReportFigures.points(f.satisfactionRate, previous?.satisfactionRate)]
        }
        var rows = report.rows.map { cells($0.label, $0.figures, $0.previous) }
        rows.append(cells("合计 all", report.overall, report.previousOverall))
        // Least wanted first: the change, default share, call-back rate.
        var out = "通报 \(report.period.label) (\(report.period.from)…\(report.period.to)), 按 by \(report.grouping.rawValue)\n"
        out += TextTable(header: header, rows: rows, optional: [9, 6, 8]).render(width: width)
        let o = report.overall.counts
        out += "差评 bad \(o.bad) (误评 \(o.mistaken), 恶意 \(o.malicious)); 整改 rectified \(o.rectified)\n"
        out += "回访 called back \(o.calledBack)/\(o.callBacksNeeded); 曾逾期 overdue \(o.overdue)\n"
        // "Nobody rated" and "nobody could rate" are different findings (issue 25).
        out += "默认 defaults \(o.defaults), 其中评价器离线 evaluator offline \(o.defaultsEvaluatorOffline)\n"
        if report.overdue.isEmpty {
            out += "逾期未整改 overdue now: none\n"
        } else {
            out += "逾期未整改 overdue now (\(report.overdue.count)):\n"
            for c in report.overdue {
                out += "  \(c.evaluationId.prefix(8))  \(c.windowCode)  \(c.staffLogin ?? "-")  rated \(c.ratedOn)  deadline \(c.deadline)\n"
            }
        }
        if let reasons = report.reasons, !reasons.isEmpty {
            let line = "差评原因 reasons: " + reasons.prefix(8).map { "\($0.label ?? $0.code) \($0.count)" }.joined(separator: ", ")
            out += (width.map { TextTable.truncate(line, to: $0) } ?? line) + "\n"
        }
        out += "参评率 = active ÷ served; 满意率, 差评率, 默认 of rated (active + default);\n"
        out += "满意率± = change against \(report.period.previous.label), in points\n"
        return out
    }
}
