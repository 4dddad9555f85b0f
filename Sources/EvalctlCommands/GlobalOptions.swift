import ArgumentParser
import EvalOperator
import EvalQueue
import Foundation

/// Options every verb shares: which configuration (and so which queue).
struct GlobalOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "evald's configuration file.")
    var config: String = AgentConfiguration.defaultPath

    @Option(name: .long, help: "Read this state directory instead of the configured one.")
    var stateDir: String?

    func context() throws -> OperatorContext {
        do {
            return try OperatorContext.load(configPath: config, stateDirectory: stateDir)
        } catch let error as OperatorError {
            throw Failure(error.description)
        }
    }
}

/// Output helpers: JSON for scripts, aligned tables for people.
enum Output {
    static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func time(_ date: Date?) -> String { date.map { ShanghaiTimeText.format($0) } ?? "-" }

    static func isoTime(_ date: Date?) -> Any { date.map(RFC3339.string) ?? NSNull() }

    static func age(_ seconds: TimeInterval?) -> String {
        guard let seconds else { return "-" }
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }
}

/// An error evalctl prints as is (no stack, no type name) with exit status 1.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

import EvalCore
typealias ShanghaiTimeText = ShanghaiTime
