import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// `close()` means closed: the write connection is gone when it returns.
///
/// SQLite's last connection to a file checkpoints and deletes the WAL by
/// *name* as it closes. A write connection that outlived `close()` (it lived
/// as long as the writer object, which the writer thread's closure releases
/// some time after `stop` returned) deleted, once released, the WAL of the
/// store reopened at the same path after its files were replaced — every
/// commit in it. The power-cut probe caught this under load (a compile
/// beside it): all records of an image missing, 1 run in ~150.
@Suite struct CloseTests {
    @Test func aClosedStoreReleasedLateLeavesTheStoreNowAtItsPathAlone() async throws {
        let fixture = try QueueFixture()
        var first: EvaluationQueue? = try fixture.open()
        try await first!.enqueue(SampleEvaluation.make())
        // The writer outlives the store, as when its thread lets go late.
        let lingering = first!.writer
        #expect(Self.openDescriptors(of: fixture.path) == 2, "the writer's and the reader's")
        first!.close()
        #expect(Self.openDescriptors(of: fixture.path) == 1, "close() returned with the write connection still open")
        first = nil

        // The files are replaced (moved aside, or a fresh image), and a new
        // store at the same path commits a record into its own WAL.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: fixture.path + suffix) }
        let second = try fixture.open()
        defer { second.close() }
        let kept = SampleEvaluation.make(rating: .satisfied)
        try await second.enqueue(kept)
        #expect(FileManager.default.fileExists(atPath: fixture.path + "-wal"))

        // The old writer goes now: its connection was closed by close().
        withExtendedLifetime(lingering) {}
        _ = consume lingering
        #expect(FileManager.default.fileExists(atPath: fixture.path + "-wal"), "a late close deleted the new store's WAL by name")

        // What a crash now would leave: another process reading the files.
        let read = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/sqlite3"),
                                              arguments: [fixture.path, "SELECT evaluation_id FROM evaluations"])
        #expect(read.stdout.contains(kept.evaluationId.description), "\(read.stdout) \(read.stderr)")
    }

    /// This process's descriptors open on `path` itself (not its -wal or -shm).
    static func openDescriptors(of path: String) -> Int {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == target }.count
    }
}
