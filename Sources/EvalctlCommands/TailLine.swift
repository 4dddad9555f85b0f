import EvalCore
import EvalOperator
import EvalQueue

/// One line of `evalctl tail`, in fixed columns under a header printed once:
/// a followed stream cannot measure its rows first, as a table does. A bad
/// review is marked 差评 in its first column (readable in a log file or with
/// NO_COLOR) and, at a terminal, the whole line is red.
enum TailLine {
    private struct Column {
        var heading: String
        var width: Int
    }

    private static func columns(wide: Bool) -> [Column] {
        var columns = [Column(heading: "", width: 4), Column(heading: "时间 time", width: wide ? 19 : 14), Column(heading: "窗口 window", width: wide ? 20 : 11),
                       Column(heading: "评价 rating", width: 11)]
        if wide { columns.append(Column(heading: "办件 case", width: 20)) }
        columns += [Column(heading: "编号 id", width: wide ? 36 : 12), Column(heading: "状态 state", width: 0)]
        return columns
    }

    static func header(wide: Bool, width: Int?) -> String {
        render(columns(wide: wide).map(\.heading), wide: wide, width: width)
    }

    static func line(_ record: QueuedRecord, change: RecordState?, wide: Bool, width: Int?, colour: Bool) -> String {
        let e = record.evaluation
        // The date's year is left out at 80 columns: a followed stream is about today.
        let time = wide ? e.assessTime : String(e.assessTime.dropFirst(5))
        var state = change.map { "\($0.rawValue)→\(record.state.rawValue)" } ?? record.state.rawValue
        if let reason = record.rejectedReason { state += " \(TerminalText.escaped(reason))" }
        // The hall only with --wide: one counter PC serves one hall, and the window is what is read.
        let window = wide ? "\(e.hallCode.map { "\($0)/" } ?? "")\(e.windowCode)" : e.windowCode
        var cells = [e.isBadReview ? "差评" : "", time, window, e.satisfaction.chineseName]
        if wide { cells.append(e.projectNo ?? "-") }
        cells += [wide ? e.evaluationId.description : RecordPresentation.shortId(e.evaluationId), state]
        let text = render(cells, wide: wide, width: width)
        return e.isBadReview ? Terminal.alarm(text, colour: colour) : text
    }

    private static func render(_ cells: [String], wide: Bool, width: Int?) -> String {
        let columns = columns(wide: wide)
        let text = zip(cells, columns).enumerated().map { index, pair in
            let (cell, column) = pair
            guard index < columns.count - 1 else { return cell }
            let fitted = TextTable.truncate(cell, to: column.width)
            return fitted + String(repeating: " ", count: max(0, column.width - TextTable.width(fitted)))
        }.joined(separator: "  ")
        return width.map { TextTable.truncate(text, to: $0) } ?? text
    }
}
