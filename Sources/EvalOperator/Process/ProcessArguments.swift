import CProcessArguments

/// The program's arguments as glibc handed them to the ELF constructors
/// (`Sources/CProcessArguments`), which survive what the Swift runtime's own
/// lookup does not: `LD_PRELOAD=libfaketime.so.1` (its constructor moves
/// `environ`) and a root without `/proc`. evald's and evalctl's entry points
/// parse these; the constructor also hands them to the runtime, so
/// `CommandLine.arguments` agrees.
public enum ProcessArguments {
    /// `argv[0]` and every argument; falls back to `CommandLine.arguments`
    /// where no constructor received them (a libc that does not pass them).
    public static var all: [String] {
        let count = Int(evald_process_argc())
        guard count > 0, let argv = evald_process_argv() else { return CommandLine.arguments }
        return (0..<count).map { argv[$0].map { String(cString: $0) } ?? "" }
    }

    /// What an `ArgumentParser` root command parses: everything after `argv[0]`.
    public static var forParsing: [String] { Array(all.dropFirst()) }

    /// Whether `CommandLine.arguments` was corrected through the runtime's hook.
    public static var runtimeOverridden: Bool { evald_process_arguments_overrode_runtime() != 0 }
}
