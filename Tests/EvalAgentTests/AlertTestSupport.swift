import EvalCore
import Foundation
import Logging

enum AlertFixtures {
    static let named = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
    static let policy = BadReviewPolicy(calendar: .mondayToFriday)

    static func badReview(evaluator: Evaluator? = named, rating: Rating = .veryDissatisfied) -> Evaluation {
        Evaluation(satisfaction: rating, assessedAt: ShanghaiTime.parse("2026-03-02 09:15:30")!, areaCode: "533103",
                   hallCode: "H01", windowCode: "W07", deviceId: "kbd-1", projectNo: "2026030200001",
                   evaluatedPersons: [StaffMember(loginName: "lisi", name: "李四")], evaluator: evaluator)
    }
}

final class AlertLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var messages: [String] { lock.withLock { lines } }

    var logger: Logger { Logger(label: "alerts") { _ in Handler(sink: self) } }

    struct Handler: LogHandler {
        let sink: AlertLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let line = "\(event.level) \(event.message) \(event.metadata ?? [:])"
            sink.lock.withLock { sink.lines.append(line) }
        }
    }
}
