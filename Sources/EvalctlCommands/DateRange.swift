import EvalQueue
import ArgumentParser
import EvalCore
import Foundation

/// `--since` / `--until` as the operator writes them: a day (`2026-11-28`,
/// Beijing time) or a full `yyyy-MM-dd HH:mm:ss`.
struct DateRange: ParsableArguments {
    @Option(help: "From this day or time (Asia/Shanghai), inclusive: 2026-11-01 or '2026-11-01 08:30:00'.")
    var since: String?
    @Option(help: "Until this day or time (Asia/Shanghai), exclusive.")
    var until: String?

    var sinceDate: Date? { since.flatMap(Self.parse) }
    var untilDate: Date? { until.flatMap(Self.parse) }

    func validate() throws {
        if let since, Self.parse(since) == nil { throw ValidationError("--since: expected yyyy-MM-dd or 'yyyy-MM-dd HH:mm:ss', got \(since)") }
        if let until, Self.parse(until) == nil { throw ValidationError("--until: expected yyyy-MM-dd or 'yyyy-MM-dd HH:mm:ss', got \(until)") }
    }

    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return ShanghaiTime.parse(trimmed) ?? ShanghaiTime.parse(trimmed + " 00:00:00")
    }
}
