import EvalCore
import Foundation

/// `evalctl stats`: counts per level and the two rates the 好差评 work plan
/// reports, grouped by day, window or staff member.
///
/// 满意率 (satisfaction rate) = (非常满意 + 满意 + 基本满意) / all;
/// 差评率 (bad-review rate) = (不满意 + 非常不满意) / all.
public struct EvaluationStatistics: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable {
        case day, window, staff
    }

    public struct Row: Sendable, Equatable, Codable {
        public var key: String
        public var counts: [Int]  // index 0 = 非常满意 (5) … 4 = 非常不满意 (1)
        public var total: Int
        public var defaulted: Int

        public var satisfactionRate: Double { total == 0 ? 0 : Double(counts[0] + counts[1] + counts[2]) / Double(total) }
        public var badReviewRate: Double { total == 0 ? 0 : Double(counts[3] + counts[4]) / Double(total) }

        public func count(_ rating: Rating) -> Int { counts[5 - rating.rawValue] }
    }

    public var grouping: Grouping
    public var rows: [Row]
    public var overall: Row

    public init(_ evaluations: [Evaluation], by grouping: Grouping) {
        self.grouping = grouping
        var rows: [String: Row] = [:]
        var overall = Row(key: "all", counts: [0, 0, 0, 0, 0], total: 0, defaulted: 0)
        func add(_ e: Evaluation, to row: inout Row) {
            row.counts[5 - e.satisfaction.rawValue] += 1
            row.total += 1
            if e.evaluationType == .defaulted { row.defaulted += 1 }
        }
        for e in evaluations {
            let keys: [String]
            switch grouping {
            case .day: keys = [String(ShanghaiTime.format(e.assessedAt).prefix(10))]
            case .window: keys = ["\(e.hallCode.map { "\($0)/" } ?? "")\(e.windowCode)"]
            case .staff: keys = e.evaluatedPersons.isEmpty ? ["(none)"] : e.evaluatedPersons.map { "\($0.name)(\($0.loginName))" }
            }
            for key in keys { add(e, to: &rows[key, default: Row(key: key, counts: [0, 0, 0, 0, 0], total: 0, defaulted: 0)]) }
            add(e, to: &overall)
        }
        self.rows = rows.values.sorted { $0.key < $1.key }
        self.overall = overall
    }

    /// Rows for a table: key, five counts, total, defaulted, 满意率, 差评率.
    /// The counts are headed by the rating's number (`legend` names them):
    /// five Chinese names side by side would not fit 80 columns.
    public func table() -> (header: [String], rows: [[String]]) {
        let header = [grouping.heading] + Rating.allCases.map { "\($0.rawValue)" } + ["合计 total", "默认 default", "满意率 rate", "差评率 bad"]
        func cells(_ row: Row) -> [String] {
            [row.key] + row.counts.map(String.init) + [String(row.total), String(row.defaulted),
                                                       Self.percent(row.satisfactionRate), Self.percent(row.badReviewRate)]
        }
        return (header, rows.map(cells) + [cells(overall)])
    }

    /// What the numbered columns of `table()` count.
    public static var legend: String {
        "评价 rating: " + Rating.allCases.map { "\($0.rawValue) \($0.chineseName)" }.joined(separator: "  ")
    }

    /// The column `table()` leaves out first to fit 80 columns: 默认 default (also in `--json`).
    public static let optionalColumns = [7]

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}

extension EvaluationStatistics.Grouping {
    /// "中文 english", as every evalctl table heading.
    var heading: String {
        switch self {
        case .day: "日期 day"
        case .window: "窗口 window"
        case .staff: "工作人员 staff"
        }
    }
}
