import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// `evalctl case PROJECT_NO`: what a press for the case would do now, and
/// why — whichever way the file records it (its ledger row, or only its
/// citizen's queued evaluation since migration ledger-008), with the presses
/// kept for it. The real evalctl on a real queue file.
@Suite("evalctl case: one case's state, its evaluation and its kept presses", .serialized)
struct CaseVerbTests {
    func object(_ text: String) -> [String: Any]? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] }

    @Test func eachWayACaseIsRecordedReadsTrue() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB1234567X", hallCode: "H1", windowCode: "W01")
        let rated = SampleEvaluation.make(rating: .verySatisfied, window: "W01", projectNo: "MS-CASE-1")
        let opening = CaseOpening(ticket: CaseTicket(projectNo: "MS-CASE-2"), window: window, staff: [], deviceId: "kbd-1",
                                  openedAt: Date())
        let due = DefaultRatingScheduler(calendar: .mondayToFriday).due(openedAt: opening.openedAt)
        do {
            let queue = try EvaluationQueue(configuration: QueueConfiguration(path: config.queuePath, minFreeBytes: 0))
            defer { queue.close() }
            try await queue.enqueue(rated)  // no ledger row: the queue's row records the rating
            let claimed = try await queue.claim(limit: 10, now: Date())
            try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
            try await queue.recordFiltered(FilteredPress(rating: .veryDissatisfied, deviceId: "kbd-1", windowCode: "W01",
                                                         pressedAt: Date(), reason: .repeat, projectNo: "MS-CASE-1"))
            try await queue.openCase(opening, due: due)
        }
        let document = try CLIJSONDocument()

        let first = try await EvalctlRun.run(config, ["case", "MS-CASE-1", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let byQueue = try #require(object(first.stdout), "\(first.stdout)")
        #expect(byQueue["state"] as? String == "rated")
        #expect(byQueue["recordedBy"] as? String == "queue")
        #expect(byQueue["evaluationId"] as? String == rated.evaluationId.description)
        #expect(byQueue["deliveryState"] as? String == "delivered")
        #expect(byQueue["satisfaction"] as? Int == 5 && byQueue["evaluationType"] as? Int == 1)
        #expect(byQueue["settledAt"] as? String == RFC3339.string(rated.assessedAt))
        let kept = try #require(byQueue["filteredPresses"] as? [[String: Any]])
        #expect(kept.count == 1)
        #expect(kept.first?["reason"] as? String == "repeat")
        #expect(kept.first?["satisfaction"] as? Int == 1)
        let paths = CLIJSONDocument.paths(byQueue)
        let documented = document.keys("`evalctl case PROJECT_NO --json`")
        #expect(!documented.isEmpty, "no table for evalctl case in docs/cli-json.md")
        #expect(CLIJSONDocument.undocumented(paths, documented: documented) == [], "printed, not documented")
        #expect(CLIJSONDocument.missing(documented, paths: paths) == [], "documented, not printed")

        let second = try #require(object(try await EvalctlRun.run(config, ["case", "MS-CASE-2", "--json"]).stdout))
        #expect(second["state"] as? String == "open" && second["recordedBy"] as? String == "ledger")
        #expect(second["dueAt"] as? String == RFC3339.string(due.dueAt))
        #expect(second["evaluationId"] is NSNull && second["deliveryState"] is NSNull)
        #expect(second["openedAt"] as? String == RFC3339.string(opening.openedAt))

        let never = try #require(object(try await EvalctlRun.run(config, ["case", "MS-CASE-3", "--json"]).stdout))
        #expect(never["state"] as? String == "unknown" && never["recordedBy"] is NSNull)

        for projectNo in ["MS-CASE-1", "MS-CASE-2", "MS-CASE-3"] {
            let text = try await EvalctlRun.run(config, ["case", projectNo])
            #expect(text.status == 0, "\(text.stderr)")
            for line in text.lines { #expect(TextTable.width(line) <= 80, "\(TextTable.width(line)) columns: \(line)") }
        }
        let table = try await EvalctlRun.run(config, ["case", "MS-CASE-1"])
        #expect(table.stdout.contains("a press now is a repeat"), "\(table.stdout)")
        #expect(table.stdout.contains(String(rated.evaluationId.description.suffix(12))), "\(table.stdout)")
    }
}
