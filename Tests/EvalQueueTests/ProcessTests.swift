import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

#if canImport(Glibc)
import Glibc
#endif

/// Real processes: a producer killed with SIGKILL mid-write, and a reader
/// process watching the file while this process writes.
@Suite("Processes: SIGKILL durability, concurrent reader")
struct ProcessTests {
    @Test func everyIdReportedBeforeSIGKILLIsStoredExactlyOnce() async throws {
        let fixture = try QueueFixture()
        let probe = try BuiltProducts.executable(named: "evalq-crash-probe")
        let child = try ChildProcess(probe, arguments: ["enqueue", fixture.path, "8"])

        try await child.waitForLines(400, timeout: .seconds(30))
        child.send(SIGKILL)
        try await child.waitForExit(timeout: .seconds(10))
        #expect(child.wasKilledBySignal)
        let reported = child.receivedLines
        #expect(reported.count >= 400)

        let queue = try fixture.open()
        defer { queue.close() }
        let all = try queue.list(QueueListQuery(limit: 1_000_000))
        let stored = Dictionary(grouping: all.map(\.id.description), by: { $0 })
        for id in reported {
            #expect(stored[id]?.count == 1, "reported \(id) was lost")
        }
        #expect(Set(reported).count == reported.count)
        #expect(all.count >= reported.count)
    }

    @Test func aReaderProcessSeesConsistentCountsWhileWeWrite() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        defer { queue.close() }
        try await queue.enqueue(SampleEvaluation.make())
        let target = 1_500
        let probe = try BuiltProducts.executable(named: "evalq-crash-probe")
        let watcher = try ChildProcess(probe, arguments: ["watch", fixture.path, "\(target)"])
        _ = try await watcher.nextLine(timeout: .seconds(20))  // it is reading before we write

        var enqueued = 1
        while enqueued < target {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<25 { group.addTask { try await queue.enqueue(SampleEvaluation.make()) } }
                try await group.waitForAll()
            }
            enqueued += 25
            let claimed = try await queue.claim(limit: 20, now: fixture.now)
            try await queue.settle(claimed.prefix(15).map { .delivered($0.evaluation.evaluationId) }, now: fixture.now)
        }
        try await watcher.waitForExit(timeout: .seconds(60))

        let snapshots = watcher.receivedLines.map { $0.split(separator: " ").map { Int($0) ?? -1 } }
        #expect(snapshots.count > 2)
        var previous = [0, 0, 0, 0, 0]
        for s in snapshots {
            try #require(s.count == 5)
            #expect(s[0] == s[1] + s[2] + s[3] + s[4], "torn snapshot: \(s)")
            #expect(s[0] >= previous[0] && s[3] >= previous[3], "went backwards: \(previous) → \(s)")
            previous = s
        }
        #expect(Set(snapshots.map { $0[0] }).count > 2, "the reader saw the queue change while it read")
        #expect(snapshots.last?[0] ?? 0 >= target)
    }
}
