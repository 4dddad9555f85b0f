import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// Issue 13, item 5: the status file is written on change, not on a timer
/// (no periodic rewrite, no 5 s copy of the forwarder's status). A delivery
/// must still reach it: the forwarder's answer is the change that writes it.
@Suite("the status file is written on change", .serialized)
struct StatusOnChangeTests {
    @Test func aDeliveryReachesTheStatusFileWithoutATimer() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (sim, config, keypad) = try await ClockStatusTests.setUp(dir)
        defer { sim.stop() }
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(30)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" })
        #expect(try AgentStatus.read(from: config.statusPath).lastDelivery == nil)
        try await keypad.connect(timeout: .seconds(10))
        keypad.press(1)
        #expect(await eventually(timeout: .seconds(30)) { ((try? await sim.stats().unique) ?? 0) == 1 })
        #expect(await eventually(timeout: .seconds(30)) { (try? AgentStatus.read(from: config.statusPath))?.lastDelivery != nil },
                "stderr:\n\(daemon.stderr)")
    }
}
