import ArgumentParser
import EvalAgent

/// evalctl: the operator's tool for evald (verbs arrive with the queue module).
@main
struct Evalctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evalctl",
        abstract: "Watch and repair evald's evaluation queue, devices and platform link.",
        version: EvaldVersion.current
    )
}
