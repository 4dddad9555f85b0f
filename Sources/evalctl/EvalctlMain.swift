import EvalOperator
import EvalctlCommands

/// evalctl as its own executable (development and the tests). The package
/// ships one binary, evald, with /usr/bin/evalctl a link to it: see
/// `Sources/evald/Evald.swift`.
@main
enum EvalctlMain {
    static func main() async { await Evalctl.run(arguments: ProcessArguments.forParsing) }
}
