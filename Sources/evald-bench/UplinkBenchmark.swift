import ArgumentParser
import EvalCore
import EvalTesting
import EvalUplink
import Foundation
import Logging

/// `evald-bench uplink`: the forwarder against a real `platform-sim` process.
///
/// 1. press-to-platform latency on an idle link (enqueue one evaluation, time
///    until the platform's 200 is settled), p50/p99;
/// 2. drain rate of a backlog (default 100 000) against a healthy simulator,
///    with the benchmark process's peak RSS during the drain;
/// 3. the simulator's own ceiling in the same run: pre-built 100-record batches,
///    only signed per request, sent as fast as it answers; and the ratio.
///
/// The outbox here is synthetic (records are made from their index on claim)
/// so that the RSS measured is the forwarder's, not a fake queue's.
struct UplinkBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplink",
        abstract: "Forwarder latency, drain rate and memory against platform-sim."
    )

    @Option(help: "Evaluations in the backlog to drain.") var backlog = 100_000
    @Option(help: "Single evaluations timed on the idle link.") var idleSamples = 300
    @Option(help: "Requests in flight while draining.") var maxInFlight = 4
    @Option(help: "Records per request.") var batchSize = 100
    @Option(help: "Seconds to measure the simulator's ceiling.") var ceilingSeconds: Double = 5
    @Option(help: "Concurrent requests when measuring the simulator's ceiling.") var ceilingConcurrency = 8
    @Option(help: "Path of platform-sim (default: next to this binary, or $PLATFORM_SIM).") var simulator: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() async throws {
        try await runBenchmark()
    }

    /// The benchmark itself, callable without ArgumentParser's async dispatch.
    func runBenchmark() async throws {
        let secret = "bench-secret-\(UInt32.random(in: 0...UInt32.max))"
        let sim = try await PlatformSimulatorProcess.start(secret: secret, executable: simulator)
        defer { sim.stop() }
        let configuration = UplinkConfiguration(baseURL: sim.baseURL, appKey: sim.appKey, batchSize: batchSize, maxInFlight: maxInFlight)
        let signer = RequestSigner(appKey: sim.appKey, secret: AppSecret(secret))
        var logger = Logger(label: "bench.uplink")
        logger.logLevel = .error

        let outbox = SyntheticOutbox()
        let forwarder = Forwarder(
            outbox: outbox,
            adapter: EvaldJSONAdapter(signer: signer),
            transport: try HTTPUplinkTransport(configuration: configuration),
            basePath: configuration.basePath,
            tuning: .init(batchSize: batchSize, maxInFlight: maxInFlight, retryPolicy: RetryPolicy(base: 0.05, cap: 1)),
            logger: logger
        )
        let running = Task { try await forwarder.run() }

        // 1. Idle link latency.
        var latencies: [Double] = []
        for i in 0..<(idleSamples + 10) {
            try await Task.sleep(for: .milliseconds(2))  // let the link go idle
            let start = ContinuousClock.now
            outbox.add(1)
            await outbox.waitSettled(atLeast: i + 1)
            if i >= 10 { latencies.append((ContinuousClock.now - start).milliseconds) }  // first ones warm the pool
        }
        latencies.sort()

        // 2. Backlog drain, with peak RSS.
        let before = outbox.settledCount
        let rssBefore = ResidentMemory.kilobytes(pid: nil)
        let sampler = RSSSampler(pid: nil)
        let drainStart = ContinuousClock.now
        outbox.add(backlog)
        await outbox.waitSettled(atLeast: before + backlog)
        let drainSeconds = (ContinuousClock.now - drainStart).seconds
        let peakRSS = sampler.stop()
        running.cancel()
        _ = try? await running.value
        let statsAfterDrain = try await sim.stats()

        // 3. The simulator's own ceiling.
        let ceiling = try await SimulatorCeiling.measure(
            sim: sim, signer: signer, seconds: ceilingSeconds, concurrency: ceilingConcurrency, batchSize: batchSize
        )

        let drainRate = Double(backlog) / drainSeconds
        let report = Report(
            idleSamples: latencies.count,
            idleP50Ms: percentile(latencies, 0.50),
            idleP99Ms: percentile(latencies, 0.99),
            backlog: backlog,
            drainSeconds: drainSeconds,
            drainPerSecond: drainRate,
            simulatorCeilingPerSecond: ceiling.evaluationsPerSecond,
            simulatorCeilingRequestsPerSecond: ceiling.requestsPerSecond,
            ratio: drainRate / ceiling.evaluationsPerSecond,
            rssBeforeDrainMB: Double(rssBefore) / 1024,
            peakRSSDuringDrainMB: Double(peakRSS) / 1024,
            platformUnique: statsAfterDrain.unique,
            platformDuplicates: statsAfterDrain.duplicates
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printTable()
        }
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    struct Report: Encodable {
        var idleSamples: Int
        var idleP50Ms: Double
        var idleP99Ms: Double
        var backlog: Int
        var drainSeconds: Double
        var drainPerSecond: Double
        var simulatorCeilingPerSecond: Double
        var simulatorCeilingRequestsPerSecond: Double
        var ratio: Double
        var rssBeforeDrainMB: Double
        var peakRSSDuringDrainMB: Double
        var platformUnique: Int
        var platformDuplicates: Int

        func printTable() {
            func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
            print("uplink benchmark (forwarder → platform-sim over loopback)")
            print("  idle link, press-to-platform  p50 \(f(idleP50Ms, 2)) ms   p99 \(f(idleP99Ms, 2)) ms   (\(idleSamples) samples; target p99 ≤ 20 ms)")
            print("  backlog drain                 \(backlog) in \(f(drainSeconds, 2)) s = \(f(drainPerSecond, 0)) evaluations/s (target ≥ 20 000/s)")
            print("  simulator ceiling             \(f(simulatorCeilingPerSecond, 0)) evaluations/s (\(f(simulatorCeilingRequestsPerSecond, 0)) requests/s)")
            print("  drain / ceiling               \(f(ratio * 100, 0)) % (target ≥ 50 %)")
            print("  RSS                           \(f(rssBeforeDrainMB)) MB before, peak \(f(peakRSSDuringDrainMB)) MB during drain (target ≤ 40 MB)")
            print("  platform                      \(platformUnique) unique, \(platformDuplicates) duplicates")
        }
    }
}

/// Sends pre-built batches (fresh ids, only re-signed) as fast as the simulator answers.
enum SimulatorCeiling {
    struct Result {
        var requestsPerSecond: Double
        var evaluationsPerSecond: Double
    }

    static func measure(sim: PlatformSimulatorProcess, signer: RequestSigner, seconds: Double, concurrency: Int, batchSize: Int) async throws -> Result {
        let adapter = EvaldJSONAdapter(signer: signer)
        let transport = try HTTPUplinkTransport(configuration: UplinkConfiguration(baseURL: sim.baseURL, appKey: sim.appKey, maxInFlight: concurrency))
        let path = EvaldJSONAdapter.joinPath(URL(string: sim.baseURL)!.path, EvaldJSONAdapter.endpoint)
        // Enough distinct bodies that every request carries new evaluations
        // (so the simulator does its full work, storing rather than answering duplicate).
        let template = SyntheticOutbox.template
        let bodies: [[UInt8]] = try (0..<3000).map { b in
            try adapter.body(for: (0..<batchSize).map { i in
                var e = template
                e.evaluationId = SyntheticOutbox.id(for: 1_000_000_000 + b * batchSize + i)
                return e
            })
        }
        let nonces = NonceGenerator()
        let counter = Counter()
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let index = counter.next()
                        guard index < bodies.count else { return }
                        let body = bodies[index]
                        let timestamp = Int64(Date().timeIntervalSince1970 * 1000)
                        let headers = [HeaderField("Content-Type", "application/json")]
                            + signer.headers(method: "POST", path: path, timestampMillis: timestamp, nonce: nonces.next(), body: body)
                        let response = try await transport.send(UplinkRequest(relativePath: EvaldJSONAdapter.endpoint, headers: headers, body: body))
                        guard response.status == 200 else { throw BenchFailure(description: "ceiling run got HTTP \(response.status)") }
                        counter.completed()
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - start).seconds
        try await transport.shutdown()
        let requests = Double(counter.completedCount)
        return Result(requestsPerSecond: requests / elapsed, evaluationsPerSecond: requests * Double(batchSize) / elapsed)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var issued = 0
        private var done = 0
        func next() -> Int { lock.withLock { defer { issued += 1 }; return issued } }
        func completed() { lock.withLock { done += 1 } }
        var completedCount: Int { lock.withLock { done } }
    }
}

/// An outbox whose records exist only as indices: claim makes the evaluation,
/// settle counts it. Retries are honoured (kept with their due time).
final class SyntheticOutbox: Outbox, @unchecked Sendable {
    static let template = Evaluation(
        evaluationId: .make(),
        satisfaction: .satisfied,
        assessedAt: Date(),
        areaCode: "533103",
        deptCode: "11533103MB0123456X",
        deptName: "芒市政务服务管理局",
        hallCode: "H01",
        windowCode: "W01",
        deviceId: "usb-1-1.2",
        evaluatedPersons: [StaffMember(loginName: "zhangsan", name: "张三")]
    )

    /// A UUIDv7-shaped id that encodes the index in its last 6 bytes.
    static func id(for index: Int) -> EvaluationID {
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - i))) }
        b[6] = 0x70
        b[8] = 0x80
        for i in 0..<6 { b[10 + i] = UInt8(truncatingIfNeeded: UInt64(index) >> (8 * (5 - i))) }
        return EvaluationID(uuid: UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
    }

    static func index(of id: EvaluationID) -> Int {
        let u = id.uuid.uuid
        return [u.10, u.11, u.12, u.13, u.14, u.15].reduce(0) { $0 << 8 | Int($1) }
    }

    private let lock = NSLock()
    private var nextFresh = 0
    private var total = 0
    private var retries: [Int: Date] = [:]
    private var settled = 0
    private var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var signals: [AsyncStream<Void>.Continuation] = []

    func add(_ count: Int) {
        let toSignal = lock.withLock { () -> [AsyncStream<Void>.Continuation] in
            total += count
            return signals
        }
        for signal in toSignal { signal.yield() }
    }

    var settledCount: Int { lock.withLock { settled } }

    func waitSettled(atLeast target: Int) async {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { () -> Bool in
                if settled >= target { return true }
                waiters.append((target, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func claim(limit: Int, now: Date) async throws -> [OutboxRecord] {
        let indices = lock.withLock { () -> [Int] in
            var picked: [Int] = []
            for (index, due) in retries where due <= now && picked.count < limit { picked.append(index) }
            for index in picked { retries.removeValue(forKey: index) }
            while picked.count < limit, nextFresh < total {
                picked.append(nextFresh)
                nextFresh += 1
            }
            return picked
        }
        let template = Self.template
        return indices.map { index in
            var evaluation = template
            evaluation.evaluationId = Self.id(for: index)
            return OutboxRecord(evaluation: evaluation, attempts: 0)
        }
    }

    func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws {
        let ready = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            for outcome in outcomes {
                switch outcome {
                case .delivered, .rejected: settled += 1
                case .retry(let id, _, let notBefore): retries[Self.index(of: id)] = notBefore
                }
            }
            let (done, waiting) = (waiters.filter { $0.target <= settled }, waiters.filter { $0.target > settled })
            waiters = waiting
            return done.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    func nextDue() async throws -> Date? {
        lock.withLock {
            if nextFresh < total { return Date() }
            return retries.values.min()
        }
    }

    func pendingSignals() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        lock.withLock { signals.append(continuation) }
        return stream
    }
}

enum ResidentMemory {
    /// VmRSS of a process (nil: this one), in kB.
    static func kilobytes(pid: Int32?) -> Int {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}

/// Samples RSS every 20 ms on a background thread until stopped; returns the peak.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let thread: Thread

    init(pid: Int32?) {
        let box = Box()
        thread = Thread {
            while let sampler = box.sampler, sampler.isRunning {
                sampler.record(ResidentMemory.kilobytes(pid: pid))
                usleep(20_000)
            }
        }
        box.sampler = self
        record(ResidentMemory.kilobytes(pid: pid))
        thread.start()
    }

    private final class Box: @unchecked Sendable { weak var sampler: RSSSampler? }

    var isRunning: Bool { lock.withLock { running } }
    func record(_ kb: Int) { lock.withLock { peak = max(peak, kb) } }

    func stop() -> Int {
        lock.withLock {
            running = false
            return peak
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
    // `milliseconds` comes from QueueBench.swift (one definition per target).
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}
