import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation
import Logging

struct BadReviewsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The bad-review ledger (差评台账): window, staff, case, time, delivery, deadline, overdue, call-back, follow-up stage."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var range: DateRange
    @Option(help: "Only this window code.")
    var window: String?
    @Option(help: "Only this staff login name.")
    var staff: String?
    @Option(name: .customLong("case"), help: "Only this case number (办件编号).")
    var projectNo: String?
    @Flag(help: "Only follow-ups not closed yet.")
    var open = false
    @Flag(help: "Only follow-ups closed (rectified and called back, or mistaken/malicious).")
    var closed = false
    @Flag(help: "Only reviews past their rectification deadline and not rectified.")
    var overdue = false
    @Option(help: "Only reviews not rectified whose deadline is within N working days (0: today).")
    var dueWithin: Int?
    @Option(help: .hidden)
    var today: CivilDate?
    @Flag(help: "Show real-name evaluators in clear for the call-back (audit-logged first; refused if the audit entry cannot be written).")
    var reveal = false
    @Flag(help: "Machine-readable output.")
    var json = false
    @OptionGroup var table: TableOptions

    func validate() throws {
        if open && closed { throw ValidationError("--open and --closed exclude each other") }
        if let dueWithin, dueWithin < 0 { throw ValidationError("--due-within counts working days from 0") }
    }

    func run() async throws {
        let context = try options.context()
        let reader = try context.reader()
        let query = BadReviewQuery(windowCode: window, staffLoginName: staff, projectNo: projectNo,
                                   since: range.sinceDate, until: range.untilDate)
        let day = civilToday(today)
        let calendar = context.configuration.workingDayCalendar().calendar
        // The follow-ups the query can match, by id (its time bounds narrow the read).
        let followUps = Dictionary(try reader.followUps(since: query.since, until: query.until).map { ($0.evaluationId, $0) }) { first, _ in first }
        let entries = try reader.badReviews(query) { id in try reader.record(id)?.state.rawValue }.filter { entry in
            guard let followUp = followUps[entry.evaluationId]?.followUp else { return !(closed || overdue || dueWithin != nil) }
            if open && followUp.stage == .closed { return false }
            if closed && followUp.stage != .closed { return false }
            if overdue && !followUp.isOverdue(at: day) { return false }
            if let dueWithin {
                guard let left = followUp.workingDaysLeft(at: day, calendar: calendar), (0...dueWithin).contains(left) else { return false }
            }
            return true
        }
        if reveal, entries.contains(where: { $0.evaluator != nil }) {
            do {
                let shown = entries.filter { $0.evaluator != nil }.map(\.evaluationId.description)
                try await RevealAudit.record("bad-reviews list: evaluator identity of \(shown.count) review(s) in clear: \(shown.joined(separator: ","))",
                                       evaluationId: shown.count == 1 ? entries.first { $0.evaluator != nil }?.evaluationId : nil, context: context)
            } catch {
                throw Failure("\(error)")
            }
        }
        var logger = Logger(label: "evalctl")
        logger.logLevel = .warning
        // The codes with their labels; a broken table file shows the codes alone.
        let reasons = (try? context.configuration.reasonCatalog()) ?? .national
        let rows = zip(entries, BadReviewReport.rows(entries, today: day, reveal: reveal, logger: logger, reason: reasons.display)).map { entry, cells in
            var row = FollowUpPresentation.listRow(cells, header: BadReviewReport.header, followUp: followUps[entry.evaluationId]?.followUp, today: day)
            if !table.wide { row[0] = RecordPresentation.shortId(entry.evaluationId) }
            return row
        }
        if json {
            print(Output.json(entries.map { entry in
                BadReviewListObject.object(entry, followUp: followUps[entry.evaluationId]?.followUp, today: day, reveal: reveal, reasons: reasons)
            }))
        } else if entries.isEmpty {
            print("no bad reviews")
        } else {
            print(TextTable(header: FollowUpPresentation.listHeader, rows: rows, optional: FollowUpPresentation.listOptional).render(width: table.width),
                  terminator: "")
        }
    }
}
