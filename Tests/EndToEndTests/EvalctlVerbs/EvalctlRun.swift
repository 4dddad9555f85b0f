import EvalTesting
import Foundation

/// The real evalctl against a test configuration, with the environment a
/// table depends on: `COLUMNS` empty is "not set", so a pipe gets 80
/// columns whatever the terminal the tests were started from.
enum EvalctlRun {
    static func run(_ config: TestConfig, _ arguments: [String], columns: String = "", noColor: String = "") async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath],
                                   environment: ["COLUMNS": columns, "NO_COLOR": noColor], directory: config.directory)
    }
}
