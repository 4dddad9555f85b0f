import EvalCore
import EvalUplink
import Foundation
import Logging
import Testing

/// A platform played in-process: an hour ahead of us, refusing timestamps
/// more than 300 s from its clock with a 401 and its `Date`, as DOMAIN.md says.
final class PlatformAnHourAhead: UplinkTransport, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var timestamps: [Int64] = []
    let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))

    func send(_ request: UplinkRequest) async throws -> UplinkResponse {
        let platformNow = Date().addingTimeInterval(3600)
        let timestamp = Int64(request.headers.first { $0.name == "X-Timestamp" }!.value)!
        lock.withLock { timestamps.append(timestamp) }
        guard abs(Double(timestamp) / 1000 - platformNow.timeIntervalSince1970) <= 300 else {
            return UplinkResponse(status: 401, headers: [HeaderField("Date", HTTPDate.format(platformNow))], body: Array(#"{"error":"stale"}"#.utf8))
        }
        let batch = try JSONDecoder().decode(EvaldJSONWire.Batch.self, from: Data(request.body))
        let results = batch.evaluations.map { EvaldJSONWire.Result(evaluationId: $0.evaluationId, status: "accepted") }
        return UplinkResponse(status: 200, body: Array(try JSONEncoder().encode(EvaldJSONWire.Results(results: results))))
    }

    func shutdown() async throws {}
}

@Suite struct ForwarderUnitTests {
    @Test func aPlatformWhoseClockDiffersIsFollowed() async throws {
        let outbox = InMemoryOutbox()
        let platform = PlatformAnHourAhead()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let forwarder = Forwarder(
            outbox: outbox, adapter: platform.adapter, transport: platform, basePath: "/api/v1",
            tuning: .init(retryPolicy: RetryPolicy(base: 0.01, cap: 0.05)), logger: logger
        )
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        outbox.enqueue(Samples.batch(4))
        try await eventually("delivered after learning the platform's clock", timeout: 10) { outbox.delivered.count == 4 }
        let status = forwarder.status
        #expect(abs(status.platformClockOffset - 3600) < 5)
        #expect(!status.authFailing && status.consecutiveFailures == 0)
        #expect(platform.timestamps.count == 2)  // one refused, one accepted
        task.cancel()
        _ = try? await task.value
    }

    @Test func stopsPromptlyWhenCancelled() async throws {
        let outbox = InMemoryOutbox()
        let platform = PlatformAnHourAhead()
        let forwarder = Forwarder(outbox: outbox, adapter: platform.adapter, transport: platform, basePath: "/api/v1")
        let task = Task { try await forwarder.run() }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        task.cancel()
        try await task.value
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
