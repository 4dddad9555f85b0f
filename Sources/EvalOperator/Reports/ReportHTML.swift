import EvalCore
import Foundation

/// `--html FILE`: one self-contained page (no script, no external style or
/// font) with the table, the overdue cases, and three inline SVG charts —
/// satisfaction by window, the daily trend, the reasons — laid out for A4.
public enum ReportHTML {
    public static func render(_ report: ReportModel, generated: String) -> String {
        let title = "好差评通报 \(report.period.label)"
        var body = "<h1>\(escape(title))</h1>\n"
        body += "<p class=\"meta\">\(report.period.from) – \(report.period.to) · 按\(escape(report.grouping.heading))分组 · 生成 \(escape(generated))</p>\n"
        body += summary(report)
        body += table(report)
        body += "<section class=\"charts\">\n"
        body += "<figure><figcaption>各窗口满意率 Satisfaction by window</figcaption>\(ReportSVG.windowBars(report.windows))</figure>\n"
        body += "<figure class=\"wide\"><figcaption>每日评价与满意率 Daily ratings and satisfaction</figcaption>\(ReportSVG.trend(report.days))</figure>\n"
        if let reasons = report.reasons {
            body += "<figure><figcaption>差评原因 Bad-review reasons</figcaption>\(ReportSVG.reasons(reasons))</figure>\n"
        }
        body += "</section>\n"
        body += overdue(report)
        body += "<p class=\"note\">参评率 = 主动评价 ÷ 服务办件; 满意率、差评率、默认占比以评价数(主动 + 默认)为分母; 整改率不计误评、恶意差评; 回访率 = 已回访 ÷ 实名差评。"
        body += " 对比上期 \(escape(report.period.previous.label))。</p>\n"
        return """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>\(style)</style></head>
            <body>
            \(body)</body></html>

            """
    }

    static let style = """
        @page { size: A4; margin: 14mm; }
        body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", sans-serif; color: #222; margin: 0 auto; max-width: 182mm; font-size: 10pt; }
        h1 { font-size: 16pt; margin: 0 0 2mm; } .meta, .note { color: #555; font-size: 8.5pt; }
        .kpis { display: flex; flex-wrap: wrap; gap: 3mm; margin: 3mm 0; }
        .kpi { border: 1px solid #ccc; border-radius: 2mm; padding: 2mm 3mm; flex: 1 1 0; min-width: 12mm; }
        .kpi b { display: block; font-size: 14pt; } .kpi span { font-size: 8pt; color: #555; }
        table { border-collapse: collapse; width: 100%; font-size: 8.5pt; page-break-inside: auto; }
        th, td { border-bottom: 1px solid #ddd; padding: 1mm 1.5mm; text-align: right; } th:first-child, td:first-child { text-align: left; }
        thead th { background: #f0f3f7; } tr.all td { font-weight: bold; border-top: 2px solid #888; } tr { page-break-inside: avoid; }
        .charts { display: flex; flex-wrap: wrap; gap: 4mm; margin-top: 4mm; }
        figure { margin: 0; flex: 1 1 100%; page-break-inside: avoid; } figure.wide { flex-basis: 100%; }
        figcaption { font-weight: bold; font-size: 9pt; margin-bottom: 1mm; } svg { width: 100%; height: auto; }
        .bad { color: #b00020; }
        """

    static func summary(_ report: ReportModel) -> String {
        let o = report.overall
        let items: [(String, String)] = [
            ("服务 served", String(o.served)), ("评价 rated", String(o.rated)),
            ("参评率", ReportFigures.percent(o.participation)), ("满意率", ReportFigures.percent(o.satisfactionRate)),
            ("差评率", ReportFigures.percent(o.badReviewRate)), ("整改率", ReportFigures.percent(o.rectificationRate)),
            ("回访率", ReportFigures.percent(o.callBackRate)),
            ("默认(评价器离线)", "\(o.counts.defaults) (\(o.counts.defaultsEvaluatorOffline))"),
        ]
        return "<div class=\"kpis\">" + items.map { "<div class=\"kpi\" data-figure=\"\(escape($0.0))\"><b>\(escape($0.1))</b><span>\(escape($0.0))</span></div>" }
            .joined() + "</div>\n"
    }

    static func table(_ report: ReportModel) -> String {
        let headings = [report.grouping.heading, "服务", "评价", "参评率", "满意率", "差评率", "默认占比", "差评", "整改率", "回访率", "满意率±"]
        func row(_ label: String, _ f: ReportFigures, _ previous: ReportFigures?, cls: String = "") -> String {
            let cells = [label, String(f.served), String(f.rated), ReportFigures.percent(f.participation), ReportFigures.percent(f.satisfactionRate),
                         ReportFigures.percent(f.badReviewRate), ReportFigures.percent(f.defaultShare), String(f.counts.bad),
                         ReportFigures.percent(f.rectificationRate), ReportFigures.percent(f.callBackRate),
                         ReportFigures.points(f.satisfactionRate, previous?.satisfactionRate)]
            return "<tr\(cls.isEmpty ? "" : " class=\"\(cls)\"")>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        var html = "<table><thead><tr>" + headings.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in report.rows { html += row(r.label, r.figures, r.previous) }
        html += row("合计", report.overall, report.previousOverall, cls: "all")
        return html + "</tbody></table>\n"
    }

    static func overdue(_ report: ReportModel) -> String {
        guard !report.overdue.isEmpty else { return "<h2>逾期未整改</h2><p>无 (none)</p>\n" }
        var html = "<h2 class=\"bad\">逾期未整改 (\(report.overdue.count))</h2><table><thead><tr><th>评价</th><th>窗口</th><th>工作人员</th><th>评价日</th><th>期限</th></tr></thead><tbody>\n"
        for c in report.overdue {
            html += "<tr><td>\(escape(String(c.evaluationId.prefix(8))))</td><td>\(escape(c.windowCode))</td><td>\(escape(c.staffLogin ?? "-"))</td>"
            html += "<td>\(c.ratedOn)</td><td>\(c.deadline)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
