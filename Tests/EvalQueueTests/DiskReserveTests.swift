#if canImport(Glibc)
import Glibc
#endif
import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue 27: on a disk full to its last byte, the platform's answers must
/// still be recorded, or every batch is sent again and again. A real full
/// file system: a small tmpfs (root only; CI runs as root), filled by a file.
@Suite(.serialized) struct DiskReserveTests {
    /// A tmpfs of `bytes` mounted on a fresh directory, or nil where this
    /// process may not mount (then the test says so and is skipped).
    static func smallFileSystem(bytes: Int) throws -> TemporaryDirectory? {
        let directory = try TemporaryDirectory(prefix: "full-disk")
        guard geteuid() == 0, mount("tmpfs", directory.url.path, "tmpfs", 0, "size=\(bytes)") == 0 else {
            directory.remove()
            return nil
        }
        return directory
    }

    static func unmount(_ directory: TemporaryDirectory) {
        umount2(directory.url.path, Int32(MNT_DETACH))
        directory.remove()
    }

    /// Writes zeros until the file system says no more.
    static func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        let small = [UInt8](repeating: 0, count: 512)
        while small.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test(arguments: [true, false])
    func theReserveLetsAFullDiskRecordThePlatformsAnswers(_ withReserve: Bool) async throws {
        guard let directory = try Self.smallFileSystem(bytes: 8 << 20) else {
            Issue.record("not root, or no tmpfs: cannot make a full file system here")
            return
        }
        defer { Self.unmount(directory) }
        let path = directory.path("queue.db")
        let queue = try EvaluationQueue(configuration: QueueConfiguration(
            path: path, minFreeBytes: 0, diskReserveBytes: withReserve ? 1 << 20 : 0))
        defer { queue.close() }
        let evaluations = (0..<20).map { _ in SampleEvaluation.make() }
        for evaluation in evaluations { try await queue.enqueue(evaluation) }
        #expect(DiskReserve(queuePath: path, bytes: 1).isHeld == withReserve)

        Self.fill(directory.path("filler"))
        let claimed = try await queue.claim(limit: 100, now: Date())
        #expect(claimed.count == 20, "a claim reads: it works on a full disk")
        var settled = false
        for _ in 0..<3 where !settled {
            do {
                try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
                settled = true
            } catch let error as QueueError where error.isDiskFull {
                _ = try await queue.claim(limit: 100, now: Date())  // released by the failed settle
            }
        }
        #expect(settled == withReserve, "with the reserve the answers are recorded; without, never")
        #expect(try queue.snapshot().count(.delivered) == (withReserve ? 20 : 0))
        #expect(!DiskReserve(queuePath: path, bytes: 1).isHeld, "given back to the full disk")
    }
}
