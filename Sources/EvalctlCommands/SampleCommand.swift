import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

/// `evalctl sample`: real-name evaluations drawn at random for call-back
/// surveys (适时抽取参与评价的企业和群众，开展回访调查). Only evaluations whose
/// identity is still kept (the personal-data retention) can be drawn; names
/// and ID numbers are masked unless `--reveal`, which is audited first.
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "A reproducible random sample of real-name evaluations for call-back surveys (masked unless --reveal)."
    )

    @OptionGroup var options: GlobalOptions
    @Option(help: "The month of the ratings, YYYY-MM.")
    var month: String
    @Option(help: "How many to draw.")
    var count: Int = 20
    @Flag(help: "Only bad reviews (不满意, 非常不满意).")
    var badOnly = false
    @Option(help: "The seed (default: the month's digits, 202611): the same seed draws the same sample.")
    var seed: UInt64?
    @Flag(help: "Show names and ID numbers in clear (written to the audit trail first; refused if it cannot be).")
    var reveal = false
    @Flag(help: "Machine-readable output.")
    var json = false
    @OptionGroup var tableOptions: TableOptions

    func validate() throws {
        if ReportPeriod.month(month) == nil { throw ValidationError("--month: expected YYYY-MM, got \(month)") }
        if count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let period = ReportPeriod.month(month)!
        let context = try options.context()
        let records = try context.records(since: ShanghaiTime.startOfDay(period.from), until: ShanghaiTime.startOfDay(period.to.adding(days: 1)))
        let seed = seed ?? CallBackSample.defaultSeed(period)
        let chosen = CallBackSample.choose(records.map(\.evaluation), count: count, badOnly: badOnly, seed: seed)
        if reveal, !chosen.isEmpty {
            try await RevealAudit.record("sample \(month) seed \(seed): evaluator identity of \(chosen.count) evaluation(s) in clear: "
                + chosen.map(\.evaluationId.description).joined(separator: ","), context: context)
        }
        func name(_ e: Evaluation) -> String { reveal ? e.evaluator?.userName.revealed ?? "" : e.evaluator?.userName.masked ?? "" }
        func cert(_ e: Evaluation) -> String { reveal ? e.evaluator?.certKey.revealed ?? "" : e.evaluator?.certKey.masked ?? "" }
        if json {
            print(Output.json([
                "month": month, "seed": seed, "count": chosen.count, "revealed": reveal,
                "sample": chosen.map { e -> [String: Any] in
                    ["evaluationId": e.evaluationId.description, "assessTime": ShanghaiTime.format(e.assessedAt),
                     "satisfaction": e.satisfaction.rawValue, "windowCode": e.windowCode, "projectNo": e.projectNo ?? NSNull(),
                     "staffLogin": e.evaluatedPersons.first?.loginName ?? NSNull(), "userName": name(e), "certKey": cert(e)]
                },
            ] as [String: Any]))
            return
        }
        let rows = chosen.map { e in
            [String(e.evaluationId.description.suffix(8)), ShanghaiTime.format(e.assessedAt), "\(e.satisfaction.rawValue) \(e.satisfaction.chineseName)",
             e.windowCode, e.evaluatedPersons.first?.loginName ?? "-", name(e), cert(e), e.projectNo ?? "-"]
        }
        print("抽样 sample \(month), seed \(seed): \(chosen.count) real-name evaluation(s)\(badOnly ? ", bad reviews only" : "")")
        print(TextTable(header: ["id", "时间 time", "评价 rating", "窗口", "工作人员", "评价人 name", "证件 ID", "办件 case"], rows: rows,
                        optional: [7, 4]).render(width: tableOptions.width), terminator: "")
        if !reveal { print("(masked: --reveal shows them in clear, recorded in the audit trail)") }
    }
}
