import ArgumentParser

/// Benchmarks of evald's hot paths, run in release:
/// `swift run -c release evald-bench queue`.
@main
struct EvaldBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evald-bench",
        abstract: "Measure evald's hot paths (build with -c release).",
        subcommands: [QueueBench.self, DaemonPathBench.self, UplinkBenchmark.self, APIBench.self, ReportBench.self]
    )
}
