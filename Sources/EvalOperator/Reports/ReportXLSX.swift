import CXlsxWriter
import EvalCore

/// `--xlsx FILE`: the report as a workbook through libxlsxwriter (Debian's
/// libxlsxwriter-dev; nothing vendored): a sheet of figures with rates as
/// percentages, a sheet per day, and the workbook's own bar chart of
/// satisfaction per group, so it opens, sorts and prints in any office suite.
public enum ReportXLSX {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ report: ReportModel, to path: String) throws {
        guard let workbook = workbook_new(path) else { throw Failure(description: "cannot create \(path)") }
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        let percent = workbook_add_format(workbook)
        format_set_num_format(percent, "0.0%")

        let sheet = workbook_add_worksheet(workbook, "通报 \(report.period.label)")
        let headings = [report.grouping.heading, "服务 served", "评价 rated", "参评率 participation", "满意率 satisfaction",
                        "差评率 bad reviews", "默认占比 default share", "差评 bad", "整改率 rectification", "回访率 call-back",
                        "上期满意率 before", "默认·评价器离线 defaults, evaluator offline"]
        for (column, heading) in headings.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), heading, bold)
        }
        worksheet_set_column(sheet, 0, 0, 24, nil)
        worksheet_set_column(sheet, 1, lxw_col_t(headings.count - 1), 13, nil)
        func write(_ row: Int, _ label: String, _ f: ReportFigures, _ previous: ReportFigures?, format: UnsafeMutablePointer<lxw_format>? = nil) {
            let r = lxw_row_t(row)
            worksheet_write_string(sheet, r, 0, label, format)
            worksheet_write_number(sheet, r, 1, Double(f.served), format)
            worksheet_write_number(sheet, r, 2, Double(f.rated), format)
            let rates: [(Int, Double?)] = [(3, f.participation), (4, f.satisfactionRate), (5, f.badReviewRate), (6, f.defaultShare),
                                           (8, f.rectificationRate), (9, f.callBackRate), (10, previous?.satisfactionRate)]
            worksheet_write_number(sheet, r, 7, Double(f.counts.bad), format)
            worksheet_write_number(sheet, r, 11, Double(f.counts.defaultsEvaluatorOffline), format)
            for (column, value) in rates {
                if let value { worksheet_write_number(sheet, r, lxw_col_t(column), value, percent) }
                else { worksheet_write_string(sheet, r, lxw_col_t(column), "—", nil) }
            }
        }
        for (index, row) in report.rows.enumerated() { write(index + 1, row.label, row.figures, row.previous) }
        let total = report.rows.count + 1
        write(total, "合计 all", report.overall, report.previousOverall, format: bold)

        if !report.rows.isEmpty {
            let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_BAR.rawValue))
            let name = "'通报 \(report.period.label)'"
            let series = chart_add_series(chart, "=\(name)!$A$2:$A$\(total)", "=\(name)!$E$2:$E$\(total)")
            chart_series_set_name(series, "满意率")
            chart_title_set_name(chart, "满意率 by \(report.grouping.rawValue)")
            worksheet_insert_chart(sheet, lxw_row_t(total + 2), 0, chart)
        }

        let daily = workbook_add_worksheet(workbook, "每日 daily")
        for (column, heading) in ["日期 day", "服务 served", "评价 rated", "满意率", "差评率"].enumerated() {
            worksheet_write_string(daily, 0, lxw_col_t(column), heading, bold)
        }
        worksheet_set_column(daily, 0, 0, 12, nil)
        for (index, d) in report.days.enumerated() {
            let r = lxw_row_t(index + 1)
            worksheet_write_string(daily, r, 0, d.day.description, nil)
            worksheet_write_number(daily, r, 1, Double(d.figures.served), nil)
            worksheet_write_number(daily, r, 2, Double(d.figures.rated), nil)
            if let v = d.figures.satisfactionRate { worksheet_write_number(daily, r, 3, v, percent) }
            if let v = d.figures.badReviewRate { worksheet_write_number(daily, r, 4, v, percent) }
        }
        if !report.overdue.isEmpty {
            let late = workbook_add_worksheet(workbook, "逾期 overdue")
            for (column, heading) in ["评价 evaluation", "窗口 window", "工作人员 staff", "评价日 rated", "期限 deadline"].enumerated() {
                worksheet_write_string(late, 0, lxw_col_t(column), heading, bold)
            }
            for (index, c) in report.overdue.enumerated() {
                let r = lxw_row_t(index + 1)
                worksheet_write_string(late, r, 0, c.evaluationId, nil)
                worksheet_write_string(late, r, 1, c.windowCode, nil)
                worksheet_write_string(late, r, 2, c.staffLogin ?? "-", nil)
                worksheet_write_string(late, r, 3, c.ratedOn.description, nil)
                worksheet_write_string(late, r, 4, c.deadline.description, nil)
            }
        }
        let error = workbook_close(workbook)
        guard error == LXW_NO_ERROR else {
            throw Failure(description: "cannot write \(path): \(String(cString: lxw_strerror(error)))")
        }
    }
}
