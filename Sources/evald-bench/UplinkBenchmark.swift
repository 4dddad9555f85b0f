import ArgumentParser
import EvalCore
import EvalPlatform
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Logging
import Synchronization

/// `evald-bench uplink`: the forwarder against a real `platform-sim` process,
/// draining the real SQLite `EvaluationQueue`.
///
/// 1. press-to-platform latency on an idle link: enqueue one evaluation into
///    the queue (durable: COMMIT + fsync), time until the platform's 200 is
///    settled back into the queue, p50/p99;
/// 2. drain rate of a backlog (default 100 000): a child process (this binary,
///    `--fill-queue`) enqueues the backlog into a queue file first, so the
///    draining process never held 100 000 evaluations; this process then opens
///    that file and is timed until every record is settled delivered, with its
///    VmRSS sampled throughout and VmHWM read at the end;
/// 3. the simulator's own ceiling in the same run: pre-built 100-record batches,
///    only signed per request, sent as fast as it answers; and the ratio.
struct UplinkBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplink",
        abstract: "Forwarder latency, drain rate and memory against platform-sim, draining the SQLite queue."
    )

    @Option(help: "Evaluations in the backlog to drain.") var backlog = 100_000
    @Option(help: "Single evaluations timed on the idle link.") var idleSamples = 300
    @Option(help: "Requests in flight while draining.") var maxInFlight = 4
    @Option(help: "Records per request.") var batchSize = 100
    @Option(help: "Seconds to measure the simulator's ceiling.") var ceilingSeconds: Double = 5
    @Option(help: "Concurrent requests when measuring the simulator's ceiling.") var ceilingConcurrency = 8
    @Option(help: "Path of platform-sim (default: next to this binary, or $PLATFORM_SIM).") var simulator: String?
    @Option(name: .customLong("definition"), help: "An adapter definition to drain through as well (repeatable), e.g. config/adapters/national-v2-sm3.json.")
    var definitions: [String] = []
    @Option(help: "Evaluations drained per definition.") var definitionBacklog = 20_000
    @Flag(help: "With national-v2-sm3.json among the definitions: also drain it re-signed with SM2-SM3, and price SM2 per batch.") var sm2 = false
    @Flag(help: "Only the definitions' drains (skip the idle, backlog and ceiling runs).") var definitionsOnly = false
    @Option(help: .hidden) var fillQueue: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() async throws {
        try await runBenchmark()
    }

    /// The benchmark itself, callable without ArgumentParser's async dispatch.
    func runBenchmark() async throws {
        if let fillQueue {
            try await Self.fill(path: fillQueue, count: backlog)
            return
        }
        if definitionsOnly {
            try await runDefinitions()
            return
        }
        let rssAtStart = ResidentMemory.kilobytes(pid: nil)
        let (anonAtStart, fileAtStart) = (ResidentMemory.kilobytes(pid: nil, field: "RssAnon:"), ResidentMemory.kilobytes(pid: nil, field: "RssFile:") + ResidentMemory.kilobytes(pid: nil, field: "RssShmem:"))
        let directory = try TemporaryDirectory(prefix: "evald-bench-uplink")
        defer { directory.remove() }
        var logger = Logger(label: "bench.uplink")
        logger.logLevel = .error

        // The backlog file, filled by a child process before anything is timed.
        let backlogPath = directory.path("backlog.sqlite3")
        let fillStart = ContinuousClock.now
        try Self.runChild(arguments: ["uplink", "--fill-queue", backlogPath, "--backlog", String(backlog)])
        let fillSeconds = (ContinuousClock.now - fillStart).seconds

        let secret = "bench-secret-\(UInt32.random(in: 0...UInt32.max))"
        let sim = try await PlatformSimulatorProcess.start(secret: secret, executable: simulator)
        defer { sim.stop() }
        let configuration = UplinkConfiguration(baseURL: sim.baseURL, appKey: sim.appKey, batchSize: batchSize, maxInFlight: maxInFlight)
        let signer = RequestSigner(appKey: sim.appKey, secret: AppSecret(secret))

        // 1. Idle link latency, through a queue of its own.
        let idleQueue = try EvaluationQueue(configuration: QueueConfiguration(path: directory.path("idle.sqlite3"), minFreeBytes: 0), logger: logger)
        let idleOutbox = CountingOutbox(idleQueue)
        var latencies: [Double] = []
        try await Self.withForwarder(outbox: idleOutbox, configuration: configuration, secret: AppSecret(secret), logger: logger) {
            for i in 0..<(idleSamples + 10) {
                try await Task.sleep(for: .milliseconds(2))  // let the link go idle
                var evaluation = BenchRecords.template
                evaluation.evaluationId = .make()
                let start = ContinuousClock.now
                try await idleQueue.enqueue(evaluation)
                await idleOutbox.waitSettled(atLeast: i + 1)
                if i >= 10 { latencies.append((ContinuousClock.now - start).milliseconds) }  // first ones warm the pool
            }
        }
        idleQueue.close()
        latencies.sort()
        let rssAfterIdle = ResidentMemory.kilobytes(pid: nil)

        // 2. Backlog drain from the filled file, with RSS.
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: backlogPath, minFreeBytes: 0), logger: logger)
        let waiting = (try queue.counts())[.pending] ?? 0
        guard waiting == backlog else { throw BenchFailure(description: "backlog file holds \(waiting) pending, expected \(backlog)") }
        let outbox = CountingOutbox(queue)
        let rssBefore = ResidentMemory.kilobytes(pid: nil)
        let (anonBefore, fileBefore) = (ResidentMemory.kilobytes(pid: nil, field: "RssAnon:"), ResidentMemory.kilobytes(pid: nil, field: "RssFile:") + ResidentMemory.kilobytes(pid: nil, field: "RssShmem:"))
        let sampler = RSSSampler(pid: nil)
        let (cpuBefore, simCPUBefore) = (ProcessCPUTime.seconds(pid: nil), ProcessCPUTime.seconds(pid: sim.pid))
        let drainStart = ContinuousClock.now
        try await Self.withForwarder(outbox: outbox, configuration: configuration, secret: AppSecret(secret), logger: logger) {
            await outbox.waitSettled(atLeast: backlog)
        }
        let drainSeconds = (ContinuousClock.now - drainStart).seconds
        let peakRSS = sampler.stop()
        let drainCPU = ProcessCPUTime.seconds(pid: nil) - cpuBefore
        let simDrainCPU = ProcessCPUTime.seconds(pid: sim.pid) - simCPUBefore
        // Read before the ceiling run, whose pre-built bodies are not the drain's.
        let highWater = ResidentMemory.kilobytes(pid: nil, field: "VmHWM:")
        let counts = try queue.counts()
        queue.close()
        let statsAfterDrain = try await sim.stats()
        guard counts[.delivered] == backlog else { throw BenchFailure(description: "queue shows \(counts) after the drain") }

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
            fillSeconds: fillSeconds,
            drainSeconds: drainSeconds,
            drainPerSecond: drainRate,
            forwarderCPUMicrosPerRecord: drainCPU * 1e6 / Double(backlog),
            simulatorCPUMicrosPerRecord: simDrainCPU * 1e6 / Double(backlog),
            simulatorCeilingPerSecond: ceiling.evaluationsPerSecond,
            simulatorCeilingRequestsPerSecond: ceiling.requestsPerSecond,
            ratio: drainRate / ceiling.evaluationsPerSecond,
            rssAtStartMB: Double(rssAtStart) / 1024,
            rssAfterIdleMB: Double(rssAfterIdle) / 1024,
            anonFileAtStartMB: [Double(anonAtStart) / 1024, Double(fileAtStart) / 1024],
            anonFileBeforeDrainMB: [Double(anonBefore) / 1024, Double(fileBefore) / 1024],
            rssBeforeDrainMB: Double(rssBefore) / 1024,
            peakRSSDuringDrainMB: Double(peakRSS) / 1024,
            vmHWMMB: Double(highWater) / 1024,
            mallocArenaMax: ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"],
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
        if !definitions.isEmpty { try await runDefinitions() }
    }

    /// Each `--definition`'s drain (DefinitionDrainBenchmark).
    func runDefinitions() async throws {
        let directory = try TemporaryDirectory(prefix: "evald-bench-definitions")
        defer { directory.remove() }
        var rows: [DefinitionDrainBenchmark.Row] = []
        for subject in try DefinitionDrainBenchmark.subjects(paths: definitions, sm2: sm2, directory: directory) {
            rows.append(try await DefinitionDrainBenchmark.measure(
                subject, backlog: definitionBacklog, batchSize: batchSize, maxInFlight: maxInFlight, simulator: simulator, directory: directory
            ) { path in try Self.runChild(arguments: ["uplink", "--fill-queue", path, "--backlog", String(definitionBacklog)]) })
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            DefinitionDrainBenchmark.printTable(rows, comparison: try DefinitionDrainBenchmark.handWrittenVersusDefined(batchSize: min(batchSize, 100)))
        }
    }

    /// Runs a forwarder on `outbox` while `body` runs, then stops it and its transport.
    private static func withForwarder(
        outbox: any Outbox, configuration: UplinkConfiguration, secret: AppSecret, logger: Logger,
        _ body: () async throws -> Void
    ) async throws {
        let transport = try HTTPUplinkTransport(configuration: configuration)
        let forwarder = Forwarder(
            outbox: outbox,
            // What the daemon runs: the built-in evald-json/1 definition.
            adapter: try DefinedAdapter(definition: .evaldJSON1, appKey: configuration.appKey, secret: secret),
            transport: transport,
            basePath: configuration.basePath,
            tuning: .init(batchSize: configuration.batchSize, maxInFlight: configuration.maxInFlight, retryPolicy: RetryPolicy(base: 0.05, cap: 1)),
            logger: logger
        )
        let running = Task { try await forwarder.run() }
        do {
            try await body()
        } catch {
            running.cancel()
            throw error
        }
        running.cancel()
        _ = try? await running.value
        try? await transport.shutdown()
    }

    /// `--fill-queue`: enqueue `count` evaluations into the queue file at
    /// `path`, many at a time so they share group commits.
    static func fill(path: String, count: Int) async throws {
        var logger = Logger(label: "bench.fill")
        logger.logLevel = .error
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0), logger: logger)
        let template = BenchRecords.template
        try await withThrowingTaskGroup(of: Void.self) { group in
            let producers = 64
            for p in 0..<producers {
                group.addTask {
                    var i = p
                    while i < count {
                        var evaluation = template
                        evaluation.evaluationId = BenchRecords.id(for: i)
                        if i % 10 == 0 { evaluation.satisfaction = .dissatisfied }
                        try await queue.enqueue(evaluation)
                        i += producers
                    }
                }
            }
            try await group.waitForAll()
        }
        queue.close()
    }

    static func runChild(arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(description: "evald-bench \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
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
        var fillSeconds: Double
        var drainSeconds: Double
        var drainPerSecond: Double
        var forwarderCPUMicrosPerRecord: Double
        var simulatorCPUMicrosPerRecord: Double
        var simulatorCeilingPerSecond: Double
        var simulatorCeilingRequestsPerSecond: Double
        var ratio: Double
        var rssAtStartMB: Double
        var rssAfterIdleMB: Double
        /// RssAnon and RssFile + RssShmem (mapped code, SQLite's -shm).
        var anonFileAtStartMB: [Double]
        var anonFileBeforeDrainMB: [Double]
        var rssBeforeDrainMB: Double
        var peakRSSDuringDrainMB: Double
        var vmHWMMB: Double
        var mallocArenaMax: String?
        var platformUnique: Int
        var platformDuplicates: Int

        func printTable() {
            func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
            print("uplink benchmark (SQLite queue → forwarder → platform-sim over loopback)")
            print("  idle link, press-to-platform  p50 \(f(idleP50Ms, 2)) ms   p99 \(f(idleP99Ms, 2)) ms   (\(idleSamples) samples, enqueue fsync included; target p99 ≤ 20 ms)")
            print("  backlog fill (child process)  \(backlog) enqueued in \(f(fillSeconds, 2)) s (not timed below)")
            print("  backlog drain from the queue  \(backlog) in \(f(drainSeconds, 2)) s = \(f(drainPerSecond, 0)) evaluations/s (target ≥ 20 000/s)")
            print("  CPU per record in the drain   \(f(forwarderCPUMicrosPerRecord)) µs queue+forwarder process, \(f(simulatorCPUMicrosPerRecord)) µs simulator (2 cores shared)")
            print("  simulator ceiling             \(f(simulatorCeilingPerSecond, 0)) evaluations/s (\(f(simulatorCeilingRequestsPerSecond, 0)) requests/s)")
            print("  drain / ceiling               \(f(ratio * 100, 0)) % (target ≥ 50 %)")
            print("  RSS (VmRSS)                   \(f(rssAtStartMB)) MB at start, \(f(rssAfterIdleMB)) MB after the idle phase, \(f(rssBeforeDrainMB)) MB with the backlog queue open, peak \(f(peakRSSDuringDrainMB)) MB during drain (target ≤ 40 MB)")
            print("  RSS anonymous / file+shmem    \(f(anonFileAtStartMB[0])) / \(f(anonFileAtStartMB[1])) MB at start, \(f(anonFileBeforeDrainMB[0])) / \(f(anonFileBeforeDrainMB[1])) MB with the backlog queue open")
            print("  VmHWM (start to end of drain) \(f(vmHWMMB)) MB   MALLOC_ARENA_MAX=\(mallocArenaMax ?? "unset")")
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
        let template = BenchRecords.template
        let bodies: [[UInt8]] = try (0..<3000).map { b in
            try adapter.body(for: (0..<batchSize).map { i in
                var e = template
                e.evaluationId = BenchRecords.id(for: 1_000_000_000 + b * batchSize + i)
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

    final class Counter: Sendable {
        private let counts = Mutex((issued: 0, done: 0))
        func next() -> Int { counts.withLock { counts in defer { counts.issued += 1 }; return counts.issued } }
        func completed() { counts.withLock { $0.done += 1 } }
        var completedCount: Int { counts.withLock { $0.done } }
    }
}

/// The benchmark's evaluations: one template, ids made from an index.
enum BenchRecords {
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
}

/// The real queue, counting records settled for good (delivered or rejected)
/// once the queue has committed them, so the benchmark can wait on a count.
final class CountingOutbox: Outbox, Sendable {
    private struct Waiting {
        var settled = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let queue: EvaluationQueue
    private let state = Mutex(Waiting())

    init(_ queue: EvaluationQueue) { self.queue = queue }

    func waitSettled(atLeast target: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.settled >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func claim(limit: Int, now: Date) async throws -> [OutboxRecord] {
        try await queue.claim(limit: limit, now: now)
    }

    func release(_ ids: [EvaluationID]) async { await queue.release(ids) }

    func redate(_ evaluations: [Evaluation]) async throws { try await queue.redate(evaluations) }

    func settle(_ outcomes: [DeliveryOutcome], now: Date) async throws {
        try await queue.settle(outcomes, now: now)
        let final = outcomes.reduce(0) { count, outcome in
            if case .retry = outcome { return count }
            return count + 1
        }
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.settled += final
            let settled = state.settled
            let (done, waiting) = (state.waiters.filter { $0.target <= settled }, state.waiters.filter { $0.target > settled })
            state.waiters = waiting
            return done.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    func nextDue() async throws -> Date? { try await queue.nextDue() }

    func onPending(_ wake: @escaping @Sendable () -> Void) { queue.onPending(wake) }
}

/// utime + stime of a process (nil: this one), in seconds, from /proc/PID/stat.
enum ProcessCPUTime {
    static func seconds(pid: Int32?) -> Double {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

enum ResidentMemory {
    /// VmRSS of a process (nil: this one), in kB.
    static func kilobytes(pid: Int32?, field: String = "VmRSS:") -> Int {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}

/// Samples RSS every 20 ms on a background thread until stopped; returns the peak.
final class RSSSampler: Sendable {
    private let state = Mutex((peak: 0, running: true))

    init(pid: Int32?) {
        let box = Box()
        let thread = Thread {
            while let sampler = box.sampler, sampler.isRunning {
                sampler.record(ResidentMemory.kilobytes(pid: pid))
                usleep(20_000)
            }
        }
        box.sampler = self
        record(ResidentMemory.kilobytes(pid: pid))
        thread.start()
    }

    /// Set once, before the thread starts: the thread must not keep the sampler alive.
    private final class Box: @unchecked Sendable { weak var sampler: RSSSampler? }

    var isRunning: Bool { state.withLock { $0.running } }
    func record(_ kb: Int) { state.withLock { $0.peak = max($0.peak, kb) } }

    func stop() -> Int {
        state.withLock {
            $0.running = false
            return $0.peak
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}
