import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct BadReviewsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One bad review's follow-up: stage, deadline, call-back, and every step recorded."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The bad review's evaluationId.")
    var id: String
    @Option(help: .hidden)
    var today: CivilDate?
    @Flag(help: "Machine-readable output.")
    var json = false

    func run() throws {
        let context = try options.context()
        let evaluationId = try EvaluationIdArgument.resolve(id, reader: context.reader)
        guard let history = try context.reader().followUp(of: evaluationId) else {
            throw Failure("no bad review \(id) in the ledger")
        }
        let calendar = context.configuration.workingDayCalendar().calendar
        let day = civilToday(today)
        print(json ? Output.json(FollowUpPresentation.json(history, today: day, calendar: calendar))
                   : FollowUpPresentation.text(history, today: day, calendar: calendar))
    }
}
