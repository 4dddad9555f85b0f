import EvalCore
import EvalTesting
import EvalUplink
import Foundation
import Logging
import Testing

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Waits for a condition with a bounded deadline (no sleep-and-hope).
func eventually(_ what: String, timeout: TimeInterval = 30, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try await !condition() {
        guard Date() < deadline else { throw TimedOut(description: "timed out after \(timeout) s waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A real `platform-sim` process, an in-memory outbox and a running forwarder
/// talking to it over loopback HTTP.
final class UplinkHarness: @unchecked Sendable {
    let sim: PlatformSimulatorProcess
    let outbox = InMemoryOutbox()
    let forwarder: Forwarder
    private let task: Task<Void, any Error>

    static let secret = "uplink-test-secret"

    init(simulatorArguments: [String] = [], simulatorEnvironment: [String: String] = [:], clientSecret: String = UplinkHarness.secret, maxInFlight: Int = 4, batchSize: Int = 100) async throws {
        let sim = try await PlatformSimulatorProcess.start(secret: Self.secret, arguments: simulatorArguments, environment: simulatorEnvironment)
        self.sim = sim
        let configuration = UplinkConfiguration(
            baseURL: sim.baseURL, appKey: sim.appKey,
            connectTimeout: .seconds(2), readTimeout: .seconds(5),
            batchSize: batchSize, maxInFlight: maxInFlight
        )
        var logger = Logger(label: "uplink-test")
        logger.logLevel = .critical
        let forwarder = Forwarder(
            outbox: outbox,
            adapter: EvaldJSONAdapter(signer: RequestSigner(appKey: sim.appKey, secret: AppSecret(clientSecret))),
            transport: try HTTPUplinkTransport(configuration: configuration),
            basePath: configuration.basePath,
            tuning: .init(batchSize: batchSize, maxInFlight: maxInFlight, retryPolicy: RetryPolicy(base: 0.02, cap: 0.3)),
            logger: logger
        )
        self.forwarder = forwarder
        task = Task { try await forwarder.run() }
    }

    /// Waits until the outbox holds nothing pending.
    func drained(timeout: TimeInterval = 30) async throws {
        try await eventually("outbox drained (\(outbox.pendingCount) left)", timeout: timeout) { outbox.pendingCount == 0 }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        sim.stop()
    }
}
