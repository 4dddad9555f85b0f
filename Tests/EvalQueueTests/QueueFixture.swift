import EvalCore
import EvalTesting
import Foundation
@testable import EvalQueue

/// A queue file in a fresh temporary directory, with a hand-driven clock.
final class QueueFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let clock: ManualWallClock
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws {
        directory = try TemporaryDirectory(prefix: "evalq")
        clock = ManualWallClock(Self.start)
    }

    deinit { directory.remove() }

    var path: String { directory.path("queue.sqlite3") }

    func configuration(
        maxPendingRecords: Int = 10_000,
        maxPendingBytes: Int = 1 << 30,
        minFreeBytes: Int64 = 0,
        deliveredRetentionDays: Int = 30,
        personalDataRetention: TimeInterval = 86_400,
        pruneBatchSize: Int = 100
    ) -> QueueConfiguration {
        QueueConfiguration(
            path: path, maxPendingRecords: maxPendingRecords, maxPendingBytes: maxPendingBytes,
            minFreeBytes: minFreeBytes, deliveredRetentionDays: deliveredRetentionDays,
            personalDataRetention: personalDataRetention, pruneBatchSize: pruneBatchSize)
    }

    func open(_ configuration: QueueConfiguration? = nil) throws -> EvaluationQueue {
        try EvaluationQueue(configuration: configuration ?? self.configuration(), clock: clock)
    }

    var now: Date { clock.now() }

    /// Files in the directory whose names start with `prefix`.
    func files(startingWith prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasPrefix(prefix) }.sorted()
    }
}

/// Whether `stream` yields within `limit` (a bounded wait, never a hang).
func yields(_ stream: AsyncStream<Void>, within limit: Duration = .seconds(5)) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() != nil
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}
