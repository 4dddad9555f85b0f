@testable import EvalAgent
import EvalCore
@testable import EvalOperator
import Foundation
import Testing

@Suite("process_* metrics and the last successful delivery")
struct ProcessMetricsTests {
    @Test func statFieldsAreCountedAfterTheCommandName() throws {
        // A command name with spaces and a parenthesis must not shift the fields.
        let line = "4242 (evald (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123456 1048576000 2560 18446744073709551615"
        let fields = try #require(ProcessMetrics.parse(stat: line))
        #expect(fields.utimeTicks == 250 && fields.stimeTicks == 50)
        #expect(fields.startTicks == 123456)
        #expect(fields.vsizeBytes == 1_048_576_000 && fields.rssPages == 2560)
        #expect(ProcessMetrics.bootTime(stat: "cpu  1 2 3\nbtime 1764633600\nprocesses 9\n") == 1_764_633_600)
    }

    @Test func thisProcessHasPlausibleMetrics() throws {
        let process = try #require(ProcessMetrics.read())
        #expect(process.residentMemoryBytes > 0)
        #expect(process.openFileDescriptors >= 3)
        #expect(process.startTimeSeconds <= Date().timeIntervalSince1970)
    }

    @Test func theLastDeliveryTimestampMovesOnlyOnADelivery() async throws {
        let metrics = AgentMetrics()
        #expect(await metrics.render().contains("\nevald_last_successful_delivery_timestamp_seconds 0.000\n"))
        metrics.recordOutcomes([.retry(EvaluationID.make(), error: "timeout", notBefore: Date())])
        #expect(await metrics.render().contains("\nevald_last_successful_delivery_timestamp_seconds 0.000\n"))
        let before = Date().timeIntervalSince1970
        metrics.recordOutcomes([.delivered(EvaluationID.make())])
        let text = await metrics.render()
        let value = text.split(separator: "\n").first { $0.hasPrefix("evald_last_successful_delivery_timestamp_seconds ") }
            .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        #expect(value >= before.rounded(.down) - 0.001)
        #expect(text.contains("evald_build_info{version=\"\(EvaldVersion.current)\"} 1"))
    }
}
