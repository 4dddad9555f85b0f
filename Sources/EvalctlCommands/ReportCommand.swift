import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

/// `evalctl report`: the periodic 通报 from the rollup, which outlives the
/// records (issue 28). One PC's store, or `--merge` of several PCs' `--json`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The 通报 for a period: served, rated, 参评率, 满意率, 差评率, 整改率, 回访率, per dept, window, staff, task or day.",
        discussion: """
        Counts come from the store's rollup, kept for years (records are pruned after
        delivered_retention_days). --json also carries the rollup rows, which
        `evalctl report --merge a.json b.json …` combines from several counter PCs.
        --rebuild recounts the period from the records and the ledger (evald stopped;
        exact only for days still within the records' retention).
        """
    )

    @OptionGroup var options: GlobalOptions
    @Option(help: "A month, YYYY-MM (default: last month).")
    var month: String?
    @Option(help: "A quarter, YYYYQn (2026Q4).")
    var quarter: String?
    @Option(help: "A whole year.")
    var year: Int?
    @Option(help: "First day, yyyy-MM-dd (with --to).")
    var from: CivilDate?
    @Option(help: "Last day, yyyy-MM-dd, inclusive (with --from).")
    var to: CivilDate?
    @Option(help: "Group by dept, window, staff, task or day.")
    var by: String = "window"
    @Flag(help: "Machine-readable output, with the period's rollup rows (what --merge reads).")
    var json = false
    @Option(help: "Also write the report as CSV (UTF-8 with BOM) to this file.")
    var csv: String?
    @Option(help: "Also write the report as an XLSX workbook to this file.")
    var xlsx: String?
    @Option(help: "Also write the report as one self-contained HTML page (prints on A4) to this file.")
    var html: String?
    @Option(parsing: .upToNextOption, help: "Report from these `report --json` files of several PCs instead of this PC's store.")
    var merge: [String] = []
    @Flag(help: "Recount the period's rollup from the records and the ledger first (evald must be stopped).")
    var rebuild = false
    @Option(help: .hidden)
    var today: CivilDate?
    @OptionGroup var tableOptions: TableOptions

    func validate() throws {
        let chosen = [month != nil, quarter != nil, year != nil, from != nil || to != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("choose one period: --month, --quarter, --year or --from/--to") }
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
        if let month, ReportPeriod.month(month) == nil { throw ValidationError("--month: expected YYYY-MM, got \(month)") }
        if let quarter, ReportPeriod.quarter(quarter) == nil { throw ValidationError("--quarter: expected YYYYQn (2026Q4), got \(quarter)") }
        if let year, !(1970...9999).contains(year) { throw ValidationError("--year: \(year) is not a year") }
        if ReportModel.Grouping(rawValue: by) == nil { throw ValidationError("--by must be dept, window, staff, task or day") }
        if rebuild && !merge.isEmpty { throw ValidationError("--rebuild recounts this PC's store; it does not go with --merge") }
    }

    var period: ReportPeriod {
        if let month, let p = ReportPeriod.month(month) { return p }
        if let quarter, let p = ReportPeriod.quarter(quarter) { return p }
        if let year { return .year(year) }
        if let from, let to { return ReportPeriod(from: from, to: to) }
        return ReportPeriod.month(year: civilToday(today).year, month: civilToday(today).month).previous
    }

    func run() async throws {
        let period = period
        let grouping = ReportModel.Grouping(rawValue: by)!
        let day = civilToday(today)
        let model: ReportModel
        let rollup: [RollupRow]
        let source: String
        if merge.isEmpty {
            let context = try options.context()
            if rebuild { try await Self.rebuild(context, period: period) }
            (model, rollup) = try ReportSource.report(try context.reader(), period: period, by: grouping, today: day)
            source = ProcessInfo.processInfo.hostName
        } else {
            let files = try merge.map(ReportJSON.read)
            let merged: (rows: [RollupRow], overdue: [ReportModel.OverdueCase])
            do { merged = try ReportMerge.merge(files) } catch let overlap as ReportMerge.Overlap { throw Failure(overlap.description) }
            rollup = merged.rows.filter { period.previous.from <= $0.key.day && $0.key.day <= period.to }
            model = ReportModel(period: period, grouping: grouping, rows: rollup, previousRows: rollup, overdue: merged.overdue)
            source = "merge of " + files.map(\.source).joined(separator: ", ")
        }
        var written: [String] = []
        if let csv {
            try write(Data(ReportCSV.render(model).utf8), to: csv)
            written.append(csv)
        }
        if let html {
            try write(Data(ReportHTML.render(model, generated: ShanghaiTime.format(Date())).utf8), to: html)
            written.append(html)
        }
        if let xlsx {
            do { try ReportXLSX.write(model, to: xlsx) } catch { throw Failure("\(error)") }
            written.append(xlsx)
        }
        if json {
            print(Output.json(ReportJSON.object(model, rollup: rollup, source: source)))
        } else {
            print(ReportText.render(model, width: tableOptions.width), terminator: "")
            for file in written { print("wrote \(file)") }
        }
    }

    private func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw Failure("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func rebuild(_ context: OperatorContext, period: ReportPeriod) async throws {
        do { try await context.rebuildRollup(from: period.from, to: period.to) } catch let error as OperatorError { throw Failure(error.description) }
        print("rollup recounted for \(period.from)…\(period.to) from the records and the ledger")
    }
}
