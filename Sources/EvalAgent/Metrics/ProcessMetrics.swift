#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The standard `process_*` metrics (as the Prometheus client libraries
/// export them), read from /proc/self at scrape time.
struct ProcessMetrics: Sendable {
    var residentMemoryBytes: Double
    var virtualMemoryBytes: Double
    var cpuSecondsTotal: Double
    var startTimeSeconds: Double
    var openFileDescriptors: Int
    var maxFileDescriptors: Int?

    static func read(proc: String = "/proc") -> ProcessMetrics? {
        guard let stat = try? String(contentsOfFile: "\(proc)/self/stat", encoding: .utf8),
              let fields = parse(stat: stat) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let bootTime = (try? String(contentsOfFile: "\(proc)/stat", encoding: .utf8)).flatMap(bootTime(stat:)) ?? 0
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "\(proc)/self/fd").count).map { max(0, $0 - 1) } ?? 0
        // "Max open files            1024                 524288               files": the soft limit.
        let limits = try? String(contentsOfFile: "\(proc)/self/limits", encoding: .utf8)
        let maxFDs = limits?.split(separator: "\n").first { $0.hasPrefix("Max open files") }
            .flatMap { line in line.split(separator: " ").dropFirst(3).first.flatMap { Int($0) } }
        return ProcessMetrics(
            residentMemoryBytes: fields.rssPages * page,
            virtualMemoryBytes: fields.vsizeBytes,
            cpuSecondsTotal: (fields.utimeTicks + fields.stimeTicks) / ticks,
            startTimeSeconds: bootTime + fields.startTicks / ticks,
            openFileDescriptors: fds,
            maxFileDescriptors: maxFDs
        )
    }

    /// `/proc/self/stat`: fields after the `(comm)`, which may itself hold spaces or parentheses.
    static func parse(stat: String) -> (utimeTicks: Double, stimeTicks: Double, startTicks: Double, vsizeBytes: Double, rssPages: Double)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state): field n is rest[n - 3].
        func field(_ n: Int) -> Double? { rest.count > n - 3 ? Double(rest[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24) else { return nil }
        return (utime, stime, start, vsize, rss)
    }

    static func bootTime(stat: String) -> Double? {
        stat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
    }
}
