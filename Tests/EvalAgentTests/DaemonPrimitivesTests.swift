#if canImport(Glibc)
@testable import EvalOperator
import Glibc
#endif
@testable import EvalAgent
import EvalCore
import EvalTesting
import Foundation
import Logging
import Testing

@Suite("Daemon primitives: lock, sd_notify, journald priorities, heartbeats, status file")
struct DaemonPrimitivesTests {
    @Test func aSecondLockOnTheSameFileIsRefusedAndNamesTheHolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("evald.lock")
        let first = try InstanceLock(path: path)
        #expect(InstanceLock.holder(of: path).held)
        #expect(InstanceLock.holder(of: path).pid == getpid())
        let error = #expect(throws: InstanceLock.HeldElsewhere.self) { try InstanceLock(path: path) }
        #expect(error?.holderPID == getpid())
        #expect(error?.description.contains("another evald") == true)
        first.release()
        #expect(!InstanceLock.holder(of: path).held)
        let again = try InstanceLock(path: path)
        again.release()
    }

    @Test func journaldPrioritiesFollowSyslog() {
        #expect(JournaldLogHandler.priority(of: .critical) == 2)
        #expect(JournaldLogHandler.priority(of: .error) == 3)
        #expect(JournaldLogHandler.priority(of: .warning) == 4)
        #expect(JournaldLogHandler.priority(of: .notice) == 5)
        #expect(JournaldLogHandler.priority(of: .info) == 6)
        #expect(JournaldLogHandler.priority(of: .debug) == 7)
    }

    @Test func aLoopBusyBeyondItsLimitIsHungAndIdleIsNot() async throws {
        let clock = TestClock()
        let beats = Heartbeats(clock: clock)
        beats.register(.forwarder, busyLimit: .milliseconds(50))
        beats.register(.devices, busyLimit: .seconds(60))
        #expect(beats.hungLoops().isEmpty)
        beats.busy(.forwarder)
        beats.busy(.devices)
        clock.advance(by: .milliseconds(50))
        #expect(beats.hungLoops().isEmpty, "busy for exactly the limit is not yet hung")
        clock.advance(by: .milliseconds(1))
        #expect(beats.hungLoops().map(\.loop) == [.forwarder])
        #expect(beats.hungLoops().first?.busyFor == .milliseconds(51))
        beats.idle(.forwarder)
        #expect(beats.hungLoops().isEmpty)
        #expect(beats.progress(.forwarder) == 1)
    }

    @Test func theStatusFileRoundTripsAndIsReplacedAtomically() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("status.json")
        let board = StatusBoard(version: "t")
        board.update { $0.devices = [.init(deviceId: "simulated", name: "sim", windowCode: "W01", online: true)] }
        board.recordError("platform refuses")
        try board.snapshot().write(to: path)
        let read = try AgentStatus.read(from: path)
        // Dates round-trip to the second (ISO 8601 in the file).
        #expect(read.devices == board.snapshot().devices)
        #expect(read.lastError == "platform refuses")
        #expect(read.pid == getpid())
        #expect(abs(read.startedAt.timeIntervalSince(board.snapshot().startedAt)) < 1)
        #expect(read.devicesOnline == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path(".status.json.tmp")))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func metricsRenderPrometheusText() async {
        let metrics = AgentMetrics()
        metrics.recordPress(.verySatisfied)
        metrics.recordFiltered(reason: "bounce")
        metrics.setQueueGauges { .init(countsByState: ["pending": 3, "delivered": 7], oldestPendingAgeSeconds: 1.5) }
        let text = await metrics.render()
        #expect(text.contains("evald_queue_records{state=\"pending\"} 3"))
        #expect(text.contains("evald_queue_records{state=\"delivered\"} 7"))
        #expect(text.contains("evald_queue_oldest_pending_age_seconds 1.500"))
        #expect(text.contains("evald_presses_total{rating=\"5\"} 1"))
        #expect(text.contains("evald_filtered_presses_total{reason=\"bounce\"} 1"))
        #expect(text.contains("# TYPE evald_deliveries_total counter"))
    }
}
