import EvalCore
import Foundation

/// `--csv FILE`: one line per row and the whole, UTF-8 with a byte-order mark
/// so that a spreadsheet opened by double-click reads the Chinese right.
public enum ReportCSV {
    public static let header = ["group", "label", "served", "rated", "participation", "satisfactionRate", "badReviewRate",
                                "defaultShare", "rectificationRate", "callBackRate", "badReviews", "overdue", "satisfactionRateBefore",
                                "defaultsEvaluatorOffline"]

    public static func render(_ report: ReportModel) -> String {
        func rate(_ v: Double?) -> String { v.map { String(($0 * 10_000).rounded() / 10_000) } ?? "" }
        func line(_ key: String, _ label: String, _ f: ReportFigures, _ previous: ReportFigures?) -> [String] {
            [key, label, String(f.served), String(f.rated), rate(f.participation), rate(f.satisfactionRate), rate(f.badReviewRate),
             rate(f.defaultShare), rate(f.rectificationRate), rate(f.callBackRate), String(f.counts.bad), String(f.counts.overdue),
             rate(previous?.satisfactionRate), String(f.counts.defaultsEvaluatorOffline)]
        }
        var lines = [header]
        lines += report.rows.map { line($0.key, $0.label, $0.figures, $0.previous) }
        lines.append(line("all", "合计", report.overall, report.previousOverall))
        return "\u{FEFF}" + lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180 quoting; a leading = + - @ is defused so a cell is never a formula.
    static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+@".contains(first) || (first == "-" && Double(value) == nil) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
