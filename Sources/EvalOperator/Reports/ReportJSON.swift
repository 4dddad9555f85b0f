import EvalCore
import Foundation

/// `evalctl report --json`: the figures per row and overall (numbers as
/// numbers, null for a rate with nothing to divide by) and the rollup rows of
/// the period, which `report --merge` reads back from several PCs.
public enum ReportJSON {
    public static let format = "evald-report/1"

    public static func object(_ report: ReportModel, rollup: [RollupRow], source: String) -> [String: Any] {
        func rate(_ value: Double?) -> Any { value.map { ($0 * 10_000).rounded() / 10_000 } ?? NSNull() }
        func figures(_ f: ReportFigures) -> [String: Any] {
            [
                "served": f.served, "rated": f.rated, "active": f.active, "defaults": f.counts.defaults,
                "participation": rate(f.participation), "satisfactionRate": rate(f.satisfactionRate),
                "badReviewRate": rate(f.badReviewRate), "defaultShare": rate(f.defaultShare),
                "rectificationRate": rate(f.rectificationRate), "callBackRate": rate(f.callBackRate),
                "badReviews": f.counts.bad, "rectified": f.counts.rectified, "calledBack": f.counts.calledBack,
                "callBacksNeeded": f.counts.callBacksNeeded, "overdue": f.counts.overdue, "mistaken": f.counts.mistaken,
                "malicious": f.counts.malicious, "filtered": f.counts.filtered,
                "defaultsEvaluatorOffline": f.counts.defaultsEvaluatorOffline,
            ]
        }
        var object: [String: Any] = [
            "format": format, "source": source,
            "period": ["label": report.period.label, "from": report.period.from.description, "to": report.period.to.description,
                       "kind": report.period.kind.rawValue],
            "by": report.grouping.rawValue,
            "rows": report.rows.map { row -> [String: Any] in
                var o = figures(row.figures)
                o["key"] = row.key
                o["label"] = row.label
                o["previous"] = row.previous.map(figures) ?? NSNull()
                return o
            },
            "overall": figures(report.overall),
            "previousOverall": report.previousOverall.map(figures) ?? NSNull(),
            "overdueNow": report.overdue.map { ["evaluationId": $0.evaluationId, "windowCode": $0.windowCode,
                                                "staffLogin": $0.staffLogin ?? NSNull(), "ratedOn": $0.ratedOn.description,
                                                "deadline": $0.deadline.description] as [String: Any] },
            "rollup": rollup.map(rollupObject),
        ]
        if let reasons = report.reasons {
            object["reasons"] = reasons.map { ["code": $0.code, "label": $0.label ?? NSNull(), "count": $0.count] as [String: Any] }
        }
        return object
    }

    static func rollupObject(_ row: RollupRow) -> [String: Any] {
        let c = row.counts
        var o: [String: Any] = [
            "day": row.key.day.description, "windowCode": row.key.windowCode, "staffLogin": row.key.staffLogin,
            "deptCode": row.key.deptCode, "taskCode": row.key.taskCode, "pf": row.key.pf,
            "served": c.served, "active": c.active, "defaults": c.defaults, "followUps": c.followUps, "filtered": c.filtered,
            "bad": c.bad, "callBacksNeeded": c.callBacksNeeded, "rectified": c.rectified, "calledBack": c.calledBack,
            "overdue": c.overdue, "mistaken": c.mistaken, "malicious": c.malicious,
            "defaultsEvaluatorOffline": c.defaultsEvaluatorOffline,
        ]
        if let v = row.hallCode { o["hallCode"] = v }
        if let v = row.staffName { o["staffName"] = v }
        if let v = row.deptName { o["deptName"] = v }
        if let v = row.taskName { o["taskName"] = v }
        return o
    }

    /// A file `--json` wrote: its period, its source and its rollup rows.
    public struct File: Sendable {
        public var path: String
        public var source: String
        public var rows: [RollupRow]
        public var overdue: [ReportModel.OverdueCase]

        public init(path: String, source: String, rows: [RollupRow], overdue: [ReportModel.OverdueCase]) {
            self.path = path
            self.source = source
            self.rows = rows
            self.overdue = overdue
        }
    }

    public static func read(_ path: String) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw OperatorError("cannot read \(path): \(error.localizedDescription)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["format"] as? String == format,
              let rollup = object["rollup"] as? [[String: Any]] else {
            throw OperatorError("\(path) is not a report file from `evalctl report --json` (format \(format))")
        }
        func int(_ o: [String: Any], _ k: String) -> Int { (o[k] as? NSNumber)?.intValue ?? 0 }
        var rows: [RollupRow] = []
        for (index, o) in rollup.enumerated() {
            guard let dayText = o["day"] as? String, let day = CivilDate(dayText), let window = o["windowCode"] as? String else {
                throw OperatorError("\(path): rollup row \(index + 1) has no day or window")
            }
            var c = RollupRow.Counts()
            c.served = int(o, "served")
            let active = (o["active"] as? [NSNumber])?.map(\.intValue) ?? []
            guard active.count == 5 else { throw OperatorError("\(path): rollup row \(index + 1): active needs 5 counts") }
            c.active = active
            c.defaults = int(o, "defaults"); c.followUps = int(o, "followUps"); c.filtered = int(o, "filtered")
            c.bad = int(o, "bad"); c.callBacksNeeded = int(o, "callBacksNeeded"); c.rectified = int(o, "rectified")
            c.calledBack = int(o, "calledBack"); c.overdue = int(o, "overdue"); c.mistaken = int(o, "mistaken"); c.malicious = int(o, "malicious")
            c.defaultsEvaluatorOffline = int(o, "defaultsEvaluatorOffline")
            rows.append(RollupRow(
                key: RollupRow.Key(day: day, windowCode: window, staffLogin: o["staffLogin"] as? String ?? "",
                                   deptCode: o["deptCode"] as? String ?? "", taskCode: o["taskCode"] as? String ?? "", pf: int(o, "pf")),
                hallCode: o["hallCode"] as? String, staffName: o["staffName"] as? String, deptName: o["deptName"] as? String,
                taskName: o["taskName"] as? String, counts: c))
        }
        let overdue = (object["overdueNow"] as? [[String: Any]] ?? []).compactMap { o -> ReportModel.OverdueCase? in
            guard let id = o["evaluationId"] as? String, let window = o["windowCode"] as? String,
                  let rated = (o["ratedOn"] as? String).flatMap(CivilDate.init), let deadline = (o["deadline"] as? String).flatMap(CivilDate.init) else { return nil }
            return ReportModel.OverdueCase(evaluationId: id, windowCode: window, staffLogin: o["staffLogin"] as? String, ratedOn: rated, deadline: deadline)
        }
        return File(path: path, source: object["source"] as? String ?? path, rows: rows, overdue: overdue)
    }
}
