import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts per level, 满意率 and 差评率, per day, window or staff member."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var range: DateRange
    @Option(help: "Group by day, window or staff.")
    var by: String = "day"
    @Flag(help: "Machine-readable output.")
    var json = false
    @OptionGroup var tableOptions: TableOptions

    func validate() throws {
        guard EvaluationStatistics.Grouping(rawValue: by) != nil else { throw ValidationError("--by must be day, window or staff") }
    }

    func run() throws {
        let context = try options.context()
        // Every state counts: a rating is a rating whether or not it reached the platform yet.
        let records = try context.records(since: range.sinceDate, until: range.untilDate)
        let stats = EvaluationStatistics(records.map(\.evaluation), by: EvaluationStatistics.Grouping(rawValue: by)!)
        if json {
            func object(_ row: EvaluationStatistics.Row) -> [String: Any] {
                [
                    "key": row.key, "total": row.total, "defaulted": row.defaulted,
                    "counts": Dictionary(uniqueKeysWithValues: zip(["5", "4", "3", "2", "1"], row.counts)),
                    "satisfactionRate": row.satisfactionRate, "badReviewRate": row.badReviewRate,
                ]
            }
            print(Output.json(["by": by, "rows": stats.rows.map(object), "overall": object(stats.overall)] as [String: Any]))
        } else {
            let table = stats.table()
            print(TextTable(header: table.header, rows: table.rows, optional: EvaluationStatistics.optionalColumns).render(width: tableOptions.width),
                  terminator: "")
            print(EvaluationStatistics.legend)
        }
    }
}
