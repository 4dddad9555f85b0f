#if canImport(Glibc)
import Glibc
#endif
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue 27: evald restarted on a full disk used to exit 1 ("disk full") and
/// be restarted by systemd every 2 s, forwarding nothing of what it held. Its
/// state directory here is a real tmpfs filled to the last byte (root only;
/// CI runs as root).
@Suite("a full disk at start", .serialized)
struct FullDiskStartTests {
    @Test func evaldRestartedOnAFullDiskForwardsWhatItHolds() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-full-disk")
        defer { dir.remove() }
        var config = TestConfig(directory: dir.url.path)
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        guard geteuid() == 0, mount("tmpfs", config.stateDirectory, "tmpfs", 0, "size=\(16 << 20)") == 0 else {
            Issue.record("not root, or no tmpfs: cannot make a full file system here")
            return
        }
        defer { umount2(config.stateDirectory, Int32(MNT_DETACH)) }
        // Nobody listens yet: the rating stays pending.
        config.platformURL = "http://127.0.0.1:\(freeLoopbackPort())/api/v1"
        config.extra = "[queue]\nmin_free_bytes = 0"
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        defer { keypad.close() }
        var daemon = try await PipelineEndToEndTests.startDaemon(config)
        try await keypad.connect(timeout: .seconds(10))
        keypad.press(2)
        #expect(await eventually(timeout: .seconds(20)) {
            (try? QueueReader(path: config.queuePath).list(QueueListQuery(limit: 10)).count) == 1
        }, "stderr:\n\(daemon.stderr)")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
        #expect(FileManager.default.fileExists(atPath: config.queuePath + ".reserve"))

        // Something else fills the disk to its last byte.
        let filler = open((config.stateDirectory as NSString).appendingPathComponent("filler"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        for size in [64 * 1024, 512] {
            let block = [UInt8](repeating: 0, count: size)
            while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        }
        close(filler)

        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        config.platformURL = sim.baseURL
        try config.write()
        daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], directory: config.directory)
        defer { daemon.stop() }
        // It stays up and forwards what it held, the answer recorded.
        #expect(await eventually(timeout: .seconds(30)) { (try? await sim.stats().unique) == 1 }, "stderr:\n\(daemon.stderr)")
        #expect(await eventually(timeout: .seconds(30)) {
            (try? QueueReader(path: config.queuePath).snapshot().count(.delivered)) == 1
        }, "stderr:\n\(daemon.stderr)")
        #expect(daemon.stderr.contains("released its"), "stderr:\n\(daemon.stderr)")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0, "stderr:\n\(daemon.stderr)")
    }
}
