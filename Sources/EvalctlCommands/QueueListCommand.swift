import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue

struct QueueListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List queued evaluations, newest first.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only this state: pending, inflight, delivered, rejected (dead letters).")
    var state: String?
    @Option(help: "Only this window code.")
    var window: String?
    @Flag(help: "Only bad reviews (不满意, 非常不满意).")
    var bad = false
    @Option(help: "At most this many records.")
    var limit = 50
    @Flag(help: "Oldest first.")
    var oldestFirst = false
    @Flag(help: "Machine-readable output.")
    var json = false
    @OptionGroup var table: TableOptions

    func validate() throws {
        if let state, RecordState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(RecordState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let context = try options.context()
        let query = QueueListQuery(state: state.flatMap(RecordState.init(rawValue:)), badReviewsOnly: bad, windowCode: window,
                                   limit: limit, order: oldestFirst ? .oldestFirst : .newestFirst)
        let records = try context.reader().list(query)
        if json {
            print(Output.json(records.map { RecordPresentation.object($0) }))
        } else if records.isEmpty {
            print("no records\(state.map { " in state \($0)" } ?? "")")
        } else {
            let rows = records.map { RecordPresentation.row($0, wide: table.wide) }
            print(TextTable(header: RecordPresentation.header, rows: rows, optional: RecordPresentation.optional).render(width: table.width),
                  terminator: "")
        }
    }
}
