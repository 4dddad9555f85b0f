import EvalCore
import EvalPlatform
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Logging

/// `evald-bench uplink --definition FILE…`: for each adapter definition, a
/// backlog drained from the SQLite queue by the forwarder through
/// `DefinedAdapter` into platform-sim playing the same definition; the drain
/// rate, CPU per record on both sides, and what building one signed batch
/// costs. `--sm2` adds the national definition re-signed with SM2-SM3 (a
/// fresh `openssl genpkey -algorithm SM2` key), to price SM2 per batch.
enum DefinitionDrainBenchmark {
    struct Row: Encodable {
        var definition: String
        var signing: String
        var backlog: Int
        var drainSeconds: Double
        var drainPerSecond: Double
        var forwarderCPUMicrosPerRecord: Double
        var simulatorCPUMicrosPerRecord: Double
        var batchSize: Int
        /// Building one full batch request: records, envelope, signature (median of 200).
        var encodeMicrosPerBatch: Double
        var platformUnique: Int
        /// sm2-sm3 only: one SM2 signature over a message the size of this batch's signed string (median of 200).
        var sm2SignMicros: Double?
    }

    struct Subject {
        var label: String
        var path: String
        var secret: String
        var simArguments: [String]
    }

    static func subjects(paths: [String], sm2: Bool, directory: TemporaryDirectory) throws -> [Subject] {
        var list = paths.map { Subject(label: ($0 as NSString).lastPathComponent, path: $0, secret: "bench-secret-\(UInt32.random(in: 0...UInt32.max))", simArguments: ["--adapter", $0]) }
        if sm2, let national = paths.first(where: { $0.hasSuffix("national-v2-sm3.json") }) {
            // The same fields and envelope, signed SM2-with-SM3 (base64 DER) instead of SM3 with the secret.
            var text = try String(contentsOfFile: national, encoding: .utf8)
            text = text.replacingOccurrences(of: #""algorithm": "sm3""#, with: #""algorithm": "sm2-sm3""#)
                .replacingOccurrences(of: "&secret=${secret}", with: "")
                .replacingOccurrences(of: #""encoding": "HEX""#, with: #""encoding": "base64""#)
                .replacingOccurrences(of: #""name": "national-v2-sm3""#, with: #""name": "national-v2-sm2""#)
            let path = directory.path("national-v2-sm2.json")
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let key = directory.path("sm2.pem"), pub = directory.path("sm2.pub.pem")
            try run("/usr/bin/openssl", ["genpkey", "-algorithm", "SM2", "-out", key])
            try run("/usr/bin/openssl", ["pkey", "-in", key, "-pubout", "-out", pub])
            list.append(Subject(label: "national-v2-sm2 (sm2-sm3)", path: path, secret: try String(contentsOfFile: key, encoding: .utf8),
                                simArguments: ["--adapter", path, "--sm2-public-key", pub]))
        }
        return list
    }

    static func measure(_ subject: Subject, backlog: Int, batchSize: Int, maxInFlight: Int, simulator: String?,
                        directory: TemporaryDirectory, fill: (String) throws -> Void) async throws -> Row {
        var logger = Logger(label: "bench.definition")
        logger.logLevel = .error
        let definition = try AdapterDefinition.load(path: subject.path)
        let adapter = try DefinedAdapter(definition: definition, appKey: "evald-test", secret: AppSecret(subject.secret))
        let batch = min(batchSize, definition.maxBatchSize)

        let queuePath = directory.path("backlog-\(UInt32.random(in: 0...UInt32.max)).sqlite3")
        try fill(queuePath)
        let sim = try await PlatformSimulatorProcess.start(secret: subject.secret, arguments: subject.simArguments, executable: simulator)
        defer { sim.stop() }
        let configuration = UplinkConfiguration(baseURL: sim.baseURL, appKey: sim.appKey, batchSize: batch, maxInFlight: maxInFlight)
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: queuePath, minFreeBytes: 0), logger: logger)
        let outbox = CountingOutbox(queue)
        let transport = try HTTPUplinkTransport(configuration: configuration)
        let forwarder = Forwarder(outbox: outbox, adapter: adapter, transport: transport, basePath: configuration.basePath,
                                  tuning: .init(batchSize: batch, maxInFlight: maxInFlight, retryPolicy: RetryPolicy(base: 0.05, cap: 1)),
                                  logger: logger)
        let (cpuBefore, simBefore) = (ProcessCPUTime.seconds(pid: nil), ProcessCPUTime.seconds(pid: sim.pid))
        let start = ContinuousClock.now
        let running = Task { try await forwarder.run() }
        await outbox.waitSettled(atLeast: backlog)
        let seconds = (ContinuousClock.now - start).seconds
        let (cpu, simCPU) = (ProcessCPUTime.seconds(pid: nil) - cpuBefore, ProcessCPUTime.seconds(pid: sim.pid) - simBefore)
        running.cancel()
        _ = try? await running.value
        try? await transport.shutdown()
        let delivered = (try queue.counts())[.delivered] ?? 0
        queue.close()
        guard delivered == backlog else { throw BenchFailure(description: "\(subject.label): \(delivered) of \(backlog) delivered") }
        let stats = try await sim.stats()

        // One full batch built and signed, 200 times.
        let evaluations: [Evaluation] = (0..<batch).map { i in
            var e = BenchRecords.template
            e.evaluationId = BenchRecords.id(for: 2_000_000_000 + i)
            return e
        }
        let nonces = NonceGenerator()
        var samples: [Double] = []
        for _ in 0..<200 {
            let t0 = ContinuousClock.now
            _ = try adapter.encode(evaluations, basePath: "/api/v1", timestampMillis: Int64(Date().timeIntervalSince1970 * 1000), nonce: nonces.next())
            samples.append((ContinuousClock.now - t0).seconds * 1e6)
        }
        samples.sort()
        var sm2Sign: Double?
        if definition.signature?.algorithm == .sm2SM3 {
            let key = try SM2Key(pem: subject.secret)
            let message = try adapter.encode(evaluations, basePath: "/api/v1", timestampMillis: 0, nonce: nonces.next()).body
            var signs: [Double] = []
            for _ in 0..<200 {
                let t0 = ContinuousClock.now
                _ = try key.sign(message)
                signs.append((ContinuousClock.now - t0).seconds * 1e6)
            }
            signs.sort()
            sm2Sign = signs[signs.count / 2]
        }
        return Row(definition: subject.label, signing: definition.signature?.algorithm.rawValue ?? "none", backlog: backlog,
                   drainSeconds: seconds, drainPerSecond: Double(backlog) / seconds,
                   forwarderCPUMicrosPerRecord: cpu * 1e6 / Double(backlog), simulatorCPUMicrosPerRecord: simCPU * 1e6 / Double(backlog),
                   batchSize: batch, encodeMicrosPerBatch: samples[samples.count / 2], platformUnique: stats.unique,
                   sm2SignMicros: sm2Sign)
    }

    /// The hand-written evald-json/1 adapter and the built-in definition
    /// building the same 100-record batch, alternately (so load on a shared
    /// machine hits both alike): what the definition's generality costs.
    static func handWrittenVersusDefined(batchSize: Int) throws -> (handWritten: Double, defined: Double) {
        let handWritten = EvaldJSONAdapter(signer: RequestSigner(appKey: "evald-test", secret: AppSecret("bench")))
        let defined = try DefinedAdapter(definition: .evaldJSON1, appKey: "evald-test", secret: AppSecret("bench"))
        let evaluations: [Evaluation] = (0..<batchSize).map { i in
            var e = BenchRecords.template
            e.evaluationId = BenchRecords.id(for: 2_000_000_000 + i)
            return e
        }
        let nonces = NonceGenerator()
        var a: [Double] = [], b: [Double] = []
        for _ in 0..<300 {
            let t0 = ContinuousClock.now
            _ = try handWritten.encode(evaluations, basePath: "/api/v1", timestampMillis: 1, nonce: nonces.next())
            let t1 = ContinuousClock.now
            _ = try defined.encode(evaluations, basePath: "/api/v1", timestampMillis: 1, nonce: nonces.next())
            let t2 = ContinuousClock.now
            a.append((t1 - t0).seconds * 1e6)
            b.append((t2 - t1).seconds * 1e6)
        }
        a.sort()
        b.sort()
        return (a[a.count / 2], b[b.count / 2])
    }

    static func printTable(_ rows: [Row], comparison: (handWritten: Double, defined: Double)?) {
        func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
        print("adapter definitions (queue → forwarder → DefinedAdapter → platform-sim --adapter, loopback)")
        for row in rows {
            print("  \(row.definition.padding(toLength: 28, withPad: " ", startingAt: 0)) \(row.signing.padding(toLength: 12, withPad: " ", startingAt: 0))"
                  + " \(row.backlog) in \(f(row.drainSeconds, 2)) s = \(f(row.drainPerSecond, 0))/s;"
                  + " CPU/record \(f(row.forwarderCPUMicrosPerRecord)) µs forwarder, \(f(row.simulatorCPUMicrosPerRecord)) µs simulator;"
                  + " one \(row.batchSize)-record batch built+signed in \(f(row.encodeMicrosPerBatch)) µs")
        }
        if let comparison {
            print("  evald-json/1, one 100-record batch built+signed, alternating: hand-written EvaldJSONAdapter \(f(comparison.handWritten)) µs,"
                  + " built-in definition \(f(comparison.defined)) µs")
        }
        if let sm2 = rows.first(where: { $0.signing == "sm2-sm3" }), let sign = sm2.sm2SignMicros {
            print("  SM2 signature alone over one \(sm2.batchSize)-record batch: \(f(sign)) µs (median of 200; SM3 of the message included)")
        }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure(description: "\(tool) \(arguments.joined(separator: " ")) failed") }
    }
}
