import ArgumentParser
import EvalOperator

struct QueueReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Send a record held as time-uncertain with the time it was stamped with. Audit-logged.",
        discussion: """
            evald holds an evaluation made in an earlier boot while the clock was not trusted \
            (no NTP, no platform answer), because its time cannot be reconstructed. Release it \
            once you have checked that its assessTime (evalctl queue show ID) is right; \
            otherwise drop it. A record dated before the build date is never sent.
            """
    )

    @OptionGroup var repair: RepairArguments

    func run() async throws {
        try await repair.perform(.release, asking: "Send \(repair.id) with the time it was stamped with?")
    }
}
