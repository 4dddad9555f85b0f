import EvalCore
import EvalPlatform
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Logging
import Testing

/// The real parts end to end: a `platform-sim` process, the SQLite
/// `EvaluationQueue` on a file in a temporary directory, and a running
/// forwarder draining that queue to the simulator over loopback HTTP.
final class UplinkHarness: @unchecked Sendable {
    let sim: PlatformSimulatorProcess
    let directory: TemporaryDirectory
    let queue: EvaluationQueue
    private let statusSource: @Sendable () -> UplinkStatus
    private let task: Task<Void, any Error>

    /// The running forwarder's status.
    var status: UplinkStatus { statusSource() }

    static let secret = "uplink-test-secret"

    /// `clock`: run the forwarder on this test clock instead of the real one
    /// (then no backoff ever ends unless the test advances it).
    init(simulatorArguments: [String] = [], simulatorEnvironment: [String: String] = [:], clientSecret: String = UplinkHarness.secret,
         maxInFlight: Int = 4, batchSize: Int = 100, clock: TestClock? = nil) async throws {
        let sim = try await PlatformSimulatorProcess.start(secret: Self.secret, arguments: simulatorArguments, environment: simulatorEnvironment)
        self.sim = sim
        directory = try TemporaryDirectory(prefix: "evald-uplink")
        var quiet = Logger(label: "uplink-test")
        quiet.logLevel = .critical
        // minFreeBytes 0: the test asserts delivery, not the disk guard (tested in EvalQueueTests).
        queue = try EvaluationQueue(configuration: QueueConfiguration(path: directory.path("queue.sqlite3"), minFreeBytes: 0), logger: quiet)
        let configuration = UplinkConfiguration(
            baseURL: sim.baseURL, appKey: sim.appKey,
            connectTimeout: .seconds(2), readTimeout: .seconds(5),
            batchSize: batchSize, maxInFlight: maxInFlight
        )
        let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: sim.appKey, secret: AppSecret(clientSecret)))
        let transport = try HTTPUplinkTransport(configuration: configuration)
        let tuning = Forwarder.Tuning(batchSize: batchSize, maxInFlight: maxInFlight, retryPolicy: RetryPolicy(base: 0.02, cap: 0.3))
        if let clock {
            // The queue still dates records by the real wall clock, so the test clock supplies only the timers.
            let forwarder = UplinkForwarder(outbox: queue, adapter: adapter, transport: transport, basePath: configuration.basePath,
                                            tuning: tuning,
                                            clock: clock, clockWatch: .assumingSynchronized(), logger: quiet)
            statusSource = { forwarder.status }
            task = Task { try await forwarder.run() }
        } else {
            let forwarder = Forwarder(outbox: queue, adapter: adapter, transport: transport, basePath: configuration.basePath,
                                      tuning: tuning, clockWatch: .assumingSynchronized(), logger: quiet)
            statusSource = { forwarder.status }
            task = Task { try await forwarder.run() }
        }
    }

    /// Enqueues concurrently, as presses on several devices would (one group commit for many).
    func enqueue(_ evaluations: [Evaluation]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for evaluation in evaluations {
                group.addTask { [queue] in
                    let result = try await queue.enqueue(evaluation)
                    #expect(result == .enqueued, "enqueue of \(evaluation.evaluationId) answered \(result)")
                }
            }
            try await group.waitForAll()
        }
    }

    /// Records not yet in the platform's hands (pending or in flight).
    func undeliveredCount() throws -> Int {
        let counts = try queue.counts()
        return (counts[.pending] ?? 0) + (counts[.inflight] ?? 0)
    }

    /// Every record in `state`, read back from the queue file.
    func records(in state: RecordState) throws -> [QueuedRecord] {
        try queue.list(QueueListQuery(state: state, limit: 1_000_000))
    }

    func ids(in state: RecordState) throws -> Set<EvaluationID> {
        Set(try records(in: state).map(\.id))
    }

    /// Waits until the queue holds nothing pending or in flight.
    func drained(timeout: Duration = .seconds(30)) async throws {
        try await eventually("queue drained (\((try? undeliveredCount()) ?? -1) left)", timeout: timeout) { try undeliveredCount() == 0 }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        queue.close()
        sim.stop()
        directory.remove()
    }
}
