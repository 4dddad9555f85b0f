import ArgumentParser
import EvalAgent
import EvalCore
import EvalQueue
import Foundation
import Logging

struct BadReviewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bad-reviews",
        abstract: "The bad-review ledger (差评台账): window, staff, case, time, delivery, rectification deadline, call-back."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var range: DateRange
    @Option(help: "Only this window code.")
    var window: String?
    @Option(help: "Only this staff login name.")
    var staff: String?
    @Option(name: .customLong("case"), help: "Only this case number (办件编号).")
    var projectNo: String?
    @Flag(help: "Show real-name evaluators in clear for the call-back (audit-logged).")
    var reveal = false
    @Flag(help: "Machine-readable output.")
    var json = false

    func run() throws {
        let context = try options.context()
        let reader = try context.reader()
        let ledger: CaseLedger
        do {
            ledger = try CaseLedger(path: context.queuePath, mode: .readOnly)
        } catch {
            throw Failure("cannot read the bad-review ledger in \(context.queuePath): \(error)")
        }
        let query = BadReviewQuery(windowCode: window, staffLoginName: staff, projectNo: projectNo,
                                   since: range.sinceDate, until: range.untilDate)
        let entries = try ledger.badReviews(query) { id in try reader.record(id)?.state.rawValue }
        if reveal, entries.contains(where: { $0.evaluator != nil }) {
            try? context.auditLog.append(verb: "reveal", evaluationId: "-", operatorName: AuditLog.currentOperator,
                                         detail: "bad-reviews with evaluator identity (\(entries.count) rows)")
        }
        var logger = Logger(label: "evalctl")
        logger.logLevel = .warning
        let c = ShanghaiTime.components(Date())
        let today = CivilDate(year: c.year, month: c.month, day: c.day)
        let rows = BadReviewReport.rows(entries, today: today, reveal: reveal, logger: logger)
        if json {
            print(Output.json(rows.map { Dictionary(uniqueKeysWithValues: zip(BadReviewReport.header, $0)) }))
        } else if rows.isEmpty {
            print("no bad reviews")
        } else {
            print(TextTable(header: BadReviewReport.header, rows: rows).render(), terminator: "")
        }
    }
}
