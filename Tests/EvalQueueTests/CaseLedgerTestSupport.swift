import EvalCore
import Foundation
import Logging

enum LedgerFixtures {
    static func at(_ text: String) -> Date { ShanghaiTime.parse(text)! }

    static let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB1234567X", hallCode: "H01", windowCode: "W07")
    static let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)

    static func opening(_ projectNo: String, at text: String, window: WindowConfiguration = window) -> CaseOpening {
        CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "T1"), window: window,
                    staff: [StaffMember(loginName: "lisi", name: "李四")], deviceId: "kbd-1", openedAt: at(text))
    }

    static func badReview(_ rating: Rating, at text: String, window: String = "W07", staff: String = "lisi", projectNo: String? = nil, evaluator: Evaluator? = nil) -> Evaluation {
        Evaluation(satisfaction: rating, assessedAt: at(text), areaCode: "533103", hallCode: "H01", windowCode: window, deviceId: "kbd-1",
                   projectNo: projectNo, evaluatedPersons: [StaffMember(loginName: staff, name: staff)], evaluator: evaluator)
    }
}

/// Keeps every log message in memory, for assertions about what is logged.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var messages: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(sink: self) }
    }

    struct CapturingHandler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.append("\(event.level) \(event.message) \(event.metadata ?? [:])")
        }
    }
}
