import EvalCore
import Foundation

/// The report's charts as inline SVG: plain shapes and text, sized by
/// viewBox so they scale to the page and print sharp.
enum ReportSVG {
    static func windowBars(_ windows: [(key: String, figures: ReportFigures)]) -> String {
        // As wide as the trend chart, so both print with the same type size.
        let rowHeight = 16, labelWidth = 120, barWidth = 500
        let height = max(1, windows.count) * rowHeight + 10
        var svg = "<svg viewBox=\"0 0 \(labelWidth + barWidth + 50) \(height)\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
        for (i, w) in windows.enumerated() {
            let y = 5 + i * rowHeight
            let rate = w.figures.satisfactionRate ?? 0
            svg += "<text x=\"\(labelWidth - 4)\" y=\"\(y + 11)\" font-size=\"10\" text-anchor=\"end\">\(ReportHTML.escape(w.key))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(barWidth)\" height=\"11\" fill=\"#eef1f5\"/>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(Int((rate * Double(barWidth)).rounded()))\" height=\"11\" fill=\"#2e7d32\"/>"
            svg += "<text x=\"\(labelWidth + barWidth + 4)\" y=\"\(y + 11)\" font-size=\"10\">\(ReportFigures.percent(w.figures.satisfactionRate))</text>"
        }
        return svg + "</svg>"
    }

    /// Bars: ratings per day (bad ones red on top); line: the day's satisfaction rate.
    static func trend(_ days: [(day: CivilDate, figures: ReportFigures)]) -> String {
        let width = 680, height = 170, left = 34, bottom = 22, top = 8
        let plotWidth = width - left - 34, plotHeight = height - bottom - top
        let most = max(1, days.map(\.figures.rated).max() ?? 1)
        let step = Double(plotWidth) / Double(max(1, days.count))
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#999\"/>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 8)\" font-size=\"9\" text-anchor=\"end\">\(most)</text>"
        svg += "<text x=\"\(left + plotWidth + 4)\" y=\"\(top + 8)\" font-size=\"9\">100%</text>"
        var points: [String] = []
        for (i, d) in days.enumerated() {
            let x = Double(left) + Double(i) * step
            let h = Double(plotHeight) * Double(d.figures.rated) / Double(most)
            let bad = Double(plotHeight) * Double(d.figures.badRatings) / Double(most)
            svg += "<rect x=\(q(x + step * 0.15)) y=\(q(Double(top + plotHeight) - h)) width=\(q(step * 0.7)) height=\(q(h - bad)) fill=\"#90a4ae\"/>"
            if bad > 0 {
                svg += "<rect x=\(q(x + step * 0.15)) y=\(q(Double(top + plotHeight) - bad)) width=\(q(step * 0.7)) height=\(q(bad)) fill=\"#c62828\"/>"
            }
            if let rate = d.figures.satisfactionRate {
                points.append("\(q2(x + step / 2)),\(q2(Double(top) + Double(plotHeight) * (1 - rate)))")
            }
            if days.count <= 31 || i % 7 == 0 {
                svg += "<text x=\(q(x + step / 2)) y=\"\(height - 8)\" font-size=\"8\" text-anchor=\"middle\">\(d.day.day)</text>"
            }
        }
        if !points.isEmpty {
            svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"1.5\"/>"
        }
        return svg + "</svg>"
    }

    static func reasons(_ reasons: [ReportModel.ReasonCount]) -> String {
        guard !reasons.isEmpty else {
            return "<svg viewBox=\"0 0 340 20\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"0\" y=\"14\" font-size=\"10\">无差评原因记录 (none recorded)</text></svg>"
        }
        let shown = Array(reasons.prefix(10))
        let most = max(1, shown.map(\.count).max() ?? 1)
        var svg = "<svg viewBox=\"0 0 340 \(shown.count * 16 + 10)\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
        for (i, r) in shown.enumerated() {
            let y = 5 + i * 16
            svg += "<text x=\"106\" y=\"\(y + 11)\" font-size=\"10\" text-anchor=\"end\">\(ReportHTML.escape(r.label ?? r.code))</text>"
            svg += "<rect x=\"110\" y=\"\(y + 2)\" width=\"\(Int(190.0 * Double(r.count) / Double(most)))\" height=\"11\" fill=\"#c62828\"/>"
            svg += "<text x=\"304\" y=\"\(y + 11)\" font-size=\"10\">\(r.count)</text>"
        }
        return svg + "</svg>"
    }

    private static func q(_ v: Double) -> String { "\"\(q2(v))\"" }
    private static func q2(_ v: Double) -> String { String(format: "%.1f", v) }
}
