import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue

/// evalctl: the operator's tool for evald. Read verbs work whether or not
/// evald runs (they read the queue file read-only); writes go through the
/// running daemon, or take its lock when it is stopped.
public struct Evalctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evalctl",
        abstract: "Watch and repair evald's evaluation queue, devices and platform link.",
        discussion: """
        Every read verb takes --json (docs/cli-json.md). Tables name the ratings
        in Chinese (非常满意 … 非常不满意) and fit the terminal (80 columns into a
        pipe); --wide shows every column. Where a table shows a short id, any
        verb taking an evaluationId accepts it. The queue belongs to user evald:
        run with sudo, or as a member of group evald.
        """,
        version: EvaldVersion.current,
        subcommands: [
            StatusCommand.self, QueueCommand.self, CaseCommand.self, TailCommand.self, StatsCommand.self, ExportCommand.self,
            SelftestCommand.self, BadReviewsCommand.self, DevicesCommand.self, UdevRulesCommand.self, ServiceCommand.self,
            CodesCommand.self, ReportCommand.self, SampleCommand.self,
        ]
    )

    public init() {}

    /// argument-parser's own `main`, except for errors thrown while running
    /// a verb: those are worded by `ErrorReport` (one `error:` prefix, no
    /// usage text, no Foundation dump). `selfTestTransport` is how `selftest`
    /// reaches the platform (see `SelftestTransport`).
    public static func run(arguments: [String]?, selfTestTransport: SelfTest.TransportFactory? = nil) async {
        await SelftestTransport.$factory.withValue(selfTestTransport) {
            await runVerb(arguments: arguments)
        }
    }

    private static func runVerb(arguments: [String]?) async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            ErrorReport.exitForUsage(error, command: self)
        }
        do {
            if var verb = command as? any AsyncParsableCommand {
                try await verb.run()
            } else {
                var verb = command
                try verb.run()
            }
        } catch {
            ErrorReport.exit(error, command: self)
        }
    }
}
