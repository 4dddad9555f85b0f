import EvalCore
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Testing

/// The forwarder draining the real SQLite queue into the real `platform-sim`
/// process over loopback.
@Suite(.serialized) struct ForwarderSimulatorTests {
    @Test func healthyLinkDeliversEveryEvaluationExactlyOnce() async throws {
        let harness = try await UplinkHarness()
        defer { Task { await harness.stop() } }
        let evaluations = Samples.batch(450, badEvery: 9)
        try await harness.enqueue(evaluations)
        try await harness.drained()

        let ids = try await harness.sim.uniqueIds()
        #expect(Set(ids) == Set(evaluations.map(\.evaluationId.description)))
        #expect(ids.count == evaluations.count)
        let stats = try await harness.sim.stats()
        #expect(stats.duplicates == 0 && stats.rejected == 0)
        #expect(try harness.ids(in: .delivered) == Set(evaluations.map(\.evaluationId)))
        #expect(stats.requests < 20)  // batched, not one request per record (and ≤ 100 each: the simulator answers 413 above)
        let status = harness.status
        #expect(status.delivered == 450 && status.consecutiveFailures == 0 && status.lastDeliveryAt != nil)
        await harness.stop()
    }

    /// On a test clock that never moves, every delivery here happens without
    /// any timer: the enqueue's doorbell sends it at once (no poll, no backoff).
    @Test func aSingleEvaluationOnAnIdleLinkGoesOutAtOnce() async throws {
        let clock = TestClock()
        let harness = try await UplinkHarness(clock: clock)
        defer { Task { await harness.stop() } }
        for _ in 0..<5 {
            let evaluation = Samples.evaluation(.dissatisfied)
            try await harness.enqueue([evaluation])
            try await eventually("single evaluation delivered") { try harness.queue.record(evaluation.evaluationId)?.state == .delivered }
        }
        #expect(clock.now.offset == .zero)
        #expect(try await harness.sim.stats().unique == 5)
        await harness.stop()
    }

    /// Seeded (`"seed"`): the simulator's draws replay exactly, so each mode's
    /// fault fires in every run, not in most (a 0.3 rate over ~15 requests
    /// missed about one run in 200).
    static let faultModes: [(String, String)] = [
        ("server errors", #"{"errorRates":{"500":0.3,"502":0.1},"seed":1}"#),
        ("dropped connections after storing", #"{"dropRate":0.3,"seed":2}"#),
        ("429 with Retry-After 0", #"{"throttleRate":0.3,"retryAfterSeconds":0,"seed":3}"#),
        ("503 without Retry-After and latency", #"{"errorRates":{"503":0.3},"latencyMs":20,"seed":4}"#),
        ("garbage 200 bodies after storing", #"{"garbageRate":0.3,"seed":5}"#),
        ("everything at once", #"{"errorRates":{"500":0.1},"dropRate":0.1,"throttleRate":0.1,"retryAfterSeconds":0,"garbageRate":0.1,"seed":6}"#),
    ]

    @Test(arguments: faultModes)
    func everyEvaluationArrivesExactlyOnceDespiteFaults(mode: String, faults: String) async throws {
        let harness = try await UplinkHarness(batchSize: 20)
        defer { Task { await harness.stop() } }
        try await harness.sim.setFaults(faults)
        let evaluations = Samples.batch(300, badEvery: 4)
        try await harness.enqueue(evaluations)
        try await harness.drained(timeout: .seconds(60))

        let ids = try await harness.sim.uniqueIds()
        #expect(ids.count == 300, "\(mode)")
        #expect(Set(ids) == Set(evaluations.map(\.evaluationId.description)), "\(mode)")
        #expect(try harness.ids(in: .delivered) == Set(evaluations.map(\.evaluationId)), "\(mode)")
        #expect(try harness.records(in: .rejected).isEmpty, "\(mode)")
        let stats = try await harness.sim.stats()
        #expect(stats.injectedErrors + stats.throttled + stats.dropped + stats.garbage > 0, "fault \(mode) never fired")
        await harness.stop()
    }

    @Test func aWrongSecretKeepsRecordsQueuedAndSaysWhy() async throws {
        let harness = try await UplinkHarness(clientSecret: "not-the-secret")
        defer { Task { await harness.stop() } }
        try await harness.enqueue(Samples.batch(5))
        try await eventually("auth failure reported") {
            let status = harness.status
            return status.authFailing && status.consecutiveFailures >= 3
        }
        #expect(try harness.undeliveredCount() == 5)
        #expect(try harness.records(in: .delivered).isEmpty && harness.records(in: .rejected).isEmpty)
        let status = harness.status
        #expect(status.lastError?.contains("401") == true)
        #expect(status.summary.contains("AUTH FAILING"))
        let stats = try await harness.sim.stats()
        #expect(stats.unique == 0 && stats.unauthorized >= 3)
        await harness.stop()
    }

    @Test func aGarbageBodyIsRetriedNeverTrusted() async throws {
        let harness = try await UplinkHarness()
        defer { Task { await harness.stop() } }
        try await harness.sim.setFaults(#"{"garbageRate":1}"#)
        let evaluations = Samples.batch(3)
        try await harness.enqueue(evaluations)
        try await eventually("several garbage answers") { try await harness.sim.stats().garbage >= 3 }
        #expect(try harness.records(in: .delivered).isEmpty, "a garbage body was taken as delivery")
        #expect(harness.status.lastError?.contains("untrusted") == true)

        try await harness.sim.clearFaults()
        try await harness.drained()
        // The platform stored them on the first try; the re-sends came back `duplicate`.
        let stats = try await harness.sim.stats()
        #expect(stats.unique == 3 && stats.duplicates >= 3)
        #expect(try harness.ids(in: .delivered) == Set(evaluations.map(\.evaluationId)))
        await harness.stop()
    }

    @Test func aRejectedRecordLandsInTheDeadLettersWithItsReason() async throws {
        let harness = try await UplinkHarness(simulatorArguments: ["--reject-field", "windowCode=W13"])
        defer { Task { await harness.stop() } }
        var evaluations = Samples.batch(8)
        evaluations[3].windowCode = "W13"
        evaluations[5].areaCode = "53"  // not 6–12 digits
        evaluations[6].deptCode = "91530000"  // not 18 characters
        try await harness.enqueue(evaluations)
        try await harness.drained()

        let dead = Dictionary(uniqueKeysWithValues: try harness.records(in: .rejected).map { ($0.id, $0.rejectedReason ?? "") })
        #expect(dead.count == 3)
        #expect(dead[evaluations[3].evaluationId]?.contains("windowCode W13") == true)
        #expect(dead[evaluations[5].evaluationId]?.contains("areaCode must be 6–12 digits") == true)
        #expect(dead[evaluations[6].evaluationId]?.contains("deptCode") == true)
        #expect(try harness.records(in: .delivered).count == 5)
        #expect(try await harness.sim.stats().rejected == 3)
        #expect(harness.status.rejected == 3)
        await harness.stop()
    }
}
