import EvalCore
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// A short id (any unique ending of 8+ digits of an evaluationId) works for
/// the repair verbs, and one that matches two records is refused rather than
/// guessed: a retry or drop must never touch the wrong record.
@Suite("evalctl short ids: unique endings only", .serialized)
struct ShortIdTests {
    @Test func repairsTakeAShortIdAndRefuseAnAmbiguousOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let seeded = try await EvalctlTests.seed(config)

        let retry = try await EvalctlRun.run(config, ["queue", "retry", "--yes", String(seeded.rejected.evaluationId.description.suffix(12))])
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(try QueueReader(path: config.queuePath).record(seeded.rejected.evaluationId)?.state == .pending)

        // Two records whose ids share their last 12 digits (made so on purpose; random ones never do).
        let twins = ["01a23ab7-0000-7000-8000-0000feedbeef", "01a23ab7-1111-7111-8111-1111feedbeef"].map {
            EvalctlTests.evaluation(.satisfied).with(id: EvaluationID($0)!)
        }
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath))
        for twin in twins { try await queue.enqueue(twin) }
        queue.close()
        let ambiguous = try await EvalctlRun.run(config, ["queue", "drop", "--yes", "feedbeef"])
        #expect(ambiguous.status == 1 && ambiguous.stderr.hasPrefix("error: ambiguous evaluationId feedbeef"), "\(ambiguous.stderr)")
        for twin in twins { #expect(try QueueReader(path: config.queuePath).record(twin.evaluationId) != nil, "nothing dropped") }
        let longer = try await EvalctlRun.run(config, ["queue", "drop", "--yes", "1111feedbeef"])
        #expect(longer.status == 0, "\(longer.stderr)")
        #expect(try QueueReader(path: config.queuePath).record(twins[1].evaluationId) == nil)
        #expect(try QueueReader(path: config.queuePath).record(twins[0].evaluationId) != nil)
    }
}

extension Evaluation {
    /// The same evaluation under another id.
    fileprivate func with(id: EvaluationID) -> Evaluation {
        Evaluation(evaluationId: id, satisfaction: satisfaction, assessedAt: assessedAt, areaCode: areaCode, hallCode: hallCode,
                   windowCode: windowCode, deviceId: deviceId, projectNo: projectNo, evaluatedPersons: evaluatedPersons)
    }
}
