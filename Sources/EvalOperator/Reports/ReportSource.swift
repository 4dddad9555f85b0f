import EvalCore
import EvalQueue
import Foundation

/// Gathers a report's inputs from one store: the rollup of the period and the
/// one before, the bad reviews overdue today (from the 台账), and the reasons
/// where the store keeps them. What the renderers get is then pure data.
public enum ReportSource {
    public struct Inputs: Sendable {
        public var rows: [RollupRow]
        public var overdue: [ReportModel.OverdueCase]
        public var reasons: [ReportModel.ReasonCount]?
    }

    public static func load(_ reader: QueueReader, period: ReportPeriod, today: CivilDate) throws -> Inputs {
        let rows = try reader.rollup(from: period.previous.from, to: period.to)
        let histories = try reader.followUps(since: ShanghaiTime.startOfDay(period.from), until: ShanghaiTime.startOfDay(period.to.adding(days: 1)))
        return Inputs(rows: rows, overdue: overdue(histories, today: today), reasons: try ReportReasons.counts(reader, period: period))
    }

    /// The bad reviews past their deadline and not rectified on `today`, named (no evaluator data).
    public static func overdue(_ histories: [FollowUpHistory], today: CivilDate) -> [ReportModel.OverdueCase] {
        histories.filter { $0.followUp.isOverdue(at: today) }.map {
            ReportModel.OverdueCase(evaluationId: $0.evaluationId.description, windowCode: $0.windowCode, staffLogin: $0.staffLogin,
                                    ratedOn: ShanghaiTime.civilDate($0.assessedAt), deadline: $0.followUp.deadline)
        }
    }

    /// The report of `period` grouped `by`, from a store.
    public static func report(_ reader: QueueReader, period: ReportPeriod, by grouping: ReportModel.Grouping, today: CivilDate) throws
        -> (model: ReportModel, rollup: [RollupRow]) {
        let inputs = try load(reader, period: period, today: today)
        return (ReportModel(period: period, grouping: grouping, rows: inputs.rows, previousRows: inputs.rows,
                            overdue: inputs.overdue, reasons: inputs.reasons), inputs.rows)
    }
}

/// The bad-review reasons (GB/T 39734 `evalDetail` codes) of the period's bad
/// reviews still in the queue. HOOK for the `evalDetail` column another change
/// adds to `evaluations`: until a column of one of `columnNames` exists, nil
/// (the report then shows no reasons rather than "none"). Reasons are counted
/// from the records, so only within their retention; a rollup column per
/// reason would keep them for years (left for when the codes are stored).
public enum ReportReasons {
    public static let columnNames = ["eval_detail", "evaluation_detail"]

    public static func counts(_ reader: QueueReader, period: ReportPeriod) throws -> [ReportModel.ReasonCount]? {
        guard let column = try reader.evaluationColumns().first(where: columnNames.contains) else { return nil }
        let from = ShanghaiTime.startOfDay(period.from).timeIntervalSince1970
        let until = ShanghaiTime.startOfDay(period.to.adding(days: 1)).timeIntervalSince1970
        var tally: [String: Int] = [:]
        for detail in try reader.evaluationTexts(column: column, badOnly: true, from: from, until: until) {
            for code in detail.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !code.isEmpty {
                tally[code, default: 0] += 1
            }
        }
        return tally.map { ReportModel.ReasonCount(code: $0.key, label: ReasonLabels.label(of: $0.key), count: $0.value) }
    }
}

/// Labels for the reason codes a public source gives (DOMAIN.md); others show as their code.
public enum ReasonLabels {
    static let known = ["213": "业务不熟练", "214": "态度生硬"]
    public static func label(of code: String) -> String? { known[code].map { "\(code) \($0)" } }
}
