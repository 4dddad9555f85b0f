import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Show the latest evaluations; with -f, follow new ones and their delivery as they happen."
    )

    @OptionGroup var options: GlobalOptions
    @Flag(name: .shortAndLong, help: "Keep following (Ctrl-C to stop).")
    var follow = false
    // -n as tail(1) has it; -l kept for scripts written before.
    @Option(name: [.customShort("n"), .short, .long], help: "How many recent records to show first.")
    var lines = 10
    @Flag(help: "One JSON object per line.")
    var json = false
    @OptionGroup var table: TableOptions

    func run() async throws {
        let context = try options.context()
        let reader = try context.reader()
        var seen: [String: RecordState] = [:]
        var lastSequence: Int64 = 0
        let initial = try reader.list(QueueListQuery(limit: max(1, lines), order: .newestFirst)).reversed()
        if !json { print(TailLine.header(wide: table.wide, width: table.width)) }
        let colour = Terminal.colour
        for record in initial { emit(record, change: nil, colour: colour) }
        for record in initial {
            seen[record.id.description] = record.state
            lastSequence = max(lastSequence, record.sequence)
        }
        guard follow else { return }
        // Polls the read-only view: cheap (an indexed query per second) and
        // never touches the daemon's write path.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            let recent = try reader.list(QueueListQuery(limit: 200, order: .newestFirst)).reversed()
            for record in recent {
                let key = record.id.description
                if record.sequence > lastSequence {
                    emit(record, change: nil, colour: colour)
                    lastSequence = record.sequence
                } else if let before = seen[key], before != record.state {
                    emit(record, change: before, colour: colour)
                }
                seen[key] = record.state
            }
            if seen.count > 5000 { seen = seen.filter { k, _ in recent.contains { $0.id.description == k } } }
        }
    }

    private func emit(_ record: QueuedRecord, change: RecordState?, colour: Bool) {
        if json {
            var object = RecordPresentation.object(record)
            if let change { object["previousState"] = change.rawValue }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(TailLine.line(record, change: change, wide: table.wide, width: table.width, colour: colour))
        }
        fflush(nil)
    }
}
