import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// docs/queue.md's salvage procedure, run literally: the shell block between
/// its `salvage:begin`/`salvage:end` markers, on a file the store moved aside.
/// `sudo` and `systemctl` are stand-ins that only record their arguments.
@Suite("docs/queue.md salvage procedure")
struct SalvageProcedureTests {
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/queue.md")

    /// The shell block between docs/queue.md's `NAME:begin`/`NAME:end` markers.
    static func procedure(_ name: String = "salvage") throws -> String {
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let begin = text.range(of: "<!-- \(name):begin -->"), let end = text.range(of: "<!-- \(name):end -->") else {
            throw SalvageError("docs/queue.md has no \(name):begin/end markers")
        }
        return text[begin.upperBound..<end.lowerBound]
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("```") }
            .joined(separator: "\n")
    }

    struct SalvageError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A bin folder whose `sudo` runs its arguments and whose `systemctl` logs them.
    static func standIns(in directory: TemporaryDirectory) throws -> String {
        let bin = directory.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let scripts = ["sudo": "#!/bin/sh\nexec \"$@\"\n", "systemctl": "#!/bin/sh\necho \"systemctl $*\" >> \"$(dirname \"$0\")/systemctl.log\"\n"]
        for (name, body) in scripts {
            let path = "\(bin)/\(name)"
            try body.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        return bin
    }

    static func run(_ script: String, stateDirectory: String, bin: String) async throws -> (status: Int32, output: [String], stderr: String) {
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), arguments: ["-e", "-c", script], environment: [
            "EVALD_STATE_DIR": stateDirectory,
            "PATH": "\(bin):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
        ])
        let status = try await child.waitForExit(timeout: .seconds(60))
        return (status, child.receivedLines, child.stderr)
    }

    @Test func theDocumentedProcedureRestoresTheUndeliveredRecords() async throws {
        let directory = try TemporaryDirectory(prefix: "salvage")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let configuration = QueueConfiguration(path: path, minFreeBytes: 0)
        var undelivered = Set<EvaluationID>()
        var deliveredCases: [String: EvaluationID] = [:]
        do {
            let queue = try EvaluationQueue(configuration: configuration)
            // Citizens' ratings of cases with no ledger row of their own (rated
            // in the commit that scanned them, migration ledger-008), delivered.
            let policy = BadReviewPolicy(calendar: .mondayToFriday)
            for index in 0..<50 {
                let rating = SampleEvaluation.make(projectNo: "SALVAGE-\(index)")
                try await queue.enqueue(rating, ledger: try CaseLedgerUpdate(rating, badReviewPolicy: policy))
                deliveredCases[rating.projectNo ?? ""] = rating.evaluationId
            }
            let cases = try await queue.claim(limit: 100, now: Date())
            try await queue.settle(cases.map { .delivered($0.evaluation.evaluationId) }, now: Date())
            for index in 0..<2_000 {
                let evaluation = SampleEvaluation.make(rating: index.isMultiple(of: 10) ? .veryDissatisfied : .satisfied, realName: true)
                try await queue.enqueue(evaluation)
                undelivered.insert(evaluation.evaluationId)
            }
            let claimed = try await queue.claim(limit: 100, now: Date())
            try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
            for record in claimed { undelivered.remove(record.evaluation.evaluationId) }
            queue.close()
        }
        // Damage the middle of the file; the store moves it aside at the next open.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: (size / 2) / 4096 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4 * 4096))
        try handle.close()
        let fresh = try EvaluationQueue(configuration: configuration)
        let moved = try #require(fresh.quarantinedFile)
        #expect(try fresh.counts().isEmpty)
        fresh.close()

        let bin = try Self.standIns(in: directory)
        let result = try await Self.run(try Self.procedure(), stateDirectory: directory.url.path, bin: bin)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let line = try #require(result.output.first { $0.hasPrefix("reimported evaluations: ") })
        let reimported = try #require(Int(line.dropFirst("reimported evaluations: ".count)))
        let systemctl = try String(contentsOfFile: "\(bin)/systemctl.log", encoding: .utf8)
        #expect(systemctl == "systemctl stop evald\nsystemctl start evald\n")

        let queue = try EvaluationQueue(configuration: configuration)
        defer { queue.close() }
        let restored = try queue.list(QueueListQuery(state: .pending, limit: 10_000)).map(\.id)
        #expect(restored.count == reimported)
        #expect(Set(restored).isSubset(of: undelivered), "only undelivered records come back")
        // Some pages were destroyed; most of what was undelivered must be back.
        #expect(reimported > undelivered.count / 2, "\(reimported) of \(undelivered.count) re-imported from \(moved)")
        // The delivered ratings stay out of the queue, and their cases stay rated.
        let ledger = try LedgerFile(path: path)
        var stillRated = 0
        for (projectNo, id) in deliveredCases {
            guard try await queue.caseState(of: projectNo) == .rated else { continue }
            stillRated += 1
            #expect(try queue.record(id) == nil)
            #expect(try ledger.locked { db in
                try db.scalar("SELECT evaluation_id FROM ledger_cases WHERE project_no = ? AND state = 'rated'", [projectNo], as: String.self)
            } == id.description)
        }
        #expect(stillRated > deliveredCases.count / 2, "\(stillRated) of \(deliveredCases.count) delivered cases still rated")
    }

    /// The step before going back to an agent older than migration ledger-008:
    /// every case rated only by its queued evaluation gets its row, so the
    /// older agent's prune cannot make it rateable again.
    @Test func theDowngradeStepGivesEveryCaseRatedInTheQueueItsRow() async throws {
        let directory = try TemporaryDirectory(prefix: "downgrade")
        defer { directory.remove() }
        let path = directory.path("queue.db")
        let rating = SampleEvaluation.make(projectNo: "DOWNGRADE-1")
        let anonymous = SampleEvaluation.make()
        do {
            let queue = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0))
            try await queue.enqueue(rating)  // no ledger row: the queue's row is the record
            try await queue.enqueue(anonymous)
            queue.close()
        }
        let script = try Self.procedure("downgrade").replacingOccurrences(of: "/var/lib/evald/queue.db", with: path)
        let result = try await Self.run(script, stateDirectory: directory.url.path, bin: try Self.standIns(in: directory))
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let db = try Connection(path: path, mode: .readOnly)
        let rows = try db.prepare("SELECT project_no, state, evaluation_id FROM ledger_cases").rows {
            [$0.column(0, as: String.self), $0.column(1, as: String.self), $0.column(2, as: String.self)]
        }
        #expect(rows == [["DOWNGRADE-1", "rated", rating.evaluationId.description]])
    }

    @Test func withoutALiveQueueTheProcedureStopsWithAnError() async throws {
        let directory = try TemporaryDirectory(prefix: "salvage-empty")
        defer { directory.remove() }
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: directory.path("queue.db.corrupt-20261129T041503Z")))
        let bin = try Self.standIns(in: directory)
        let result = try await Self.run(try Self.procedure(), stateDirectory: directory.url.path, bin: bin)
        #expect(result.status != 0)
        #expect(result.stderr.contains("no live queue.db"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("queue.db")), "the procedure must not create an empty queue")
    }
}
