import EvalCore
import Foundation
import Logging
import EvalQueue
import EvalSession

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

/// Records what a `SessionDriver` reports, for assertions.
final class RecordingObserver: SessionDriverObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var _stored: [Evaluation] = []
    private var _refused: [Evaluation] = []
    private var _filtered: [FilteredPress] = []
    private var _unavailable: [String] = []
    private var _writeFailures: [String] = []
    private var _prompts: [CounterPrompt] = []

    var stored: [Evaluation] { lock.withLock { _stored } }
    var refusedEvaluations: [Evaluation] { lock.withLock { _refused } }
    var filteredPresses: [FilteredPress] { lock.withLock { _filtered } }
    var unavailableCases: [String] { lock.withLock { _unavailable } }
    var writeFailures: [String] { lock.withLock { _writeFailures } }
    var prompts: [CounterPrompt] { lock.withLock { _prompts } }

    func stored(_ evaluation: Evaluation, result: EnqueueResult) { lock.withLock { _stored.append(evaluation) } }
    func refused(_ evaluation: Evaluation, error: any Error) { lock.withLock { _refused.append(evaluation) } }
    func filtered(_ press: FilteredPress) { lock.withLock { _filtered.append(press) } }
    func caseOpened(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) {}
    func writeFailed(_ what: String, error: any Error) { lock.withLock { _writeFailures.append(what) } }
    func ledgerUnavailable(projectNo: String, error: any Error) { lock.withLock { _unavailable.append(projectNo) } }
    func defaultsApplied(_ pass: DefaultPass) { lock.withLock { _stored += pass.enqueued } }
    func log(_ event: SessionEvent) {}
    func prompt(_ prompt: WindowPrompt) { lock.withLock { _prompts.append(prompt.prompt) } }
}
