import ArgumentParser
import CCrashVFS
import EvalCore
import EvalQueue
import EvalSession
import EvalTesting
import Foundation

/// `evald-bench daemon-path`: the daemon's own single-producer path from
/// input to durable evaluation — `CounterSession` (the pure session) and
/// `SessionDriver.submit` (the store operations `CounterPipeline` runs) on the
/// real SQLite store, one input at a time as the pipeline actor takes them
/// (each submitted, not awaited, as the pipeline does), fed like
/// the simulated keypad (case scan + press pairs, or anonymous presses). No
/// HTTP, no device threads. Beside it, in the same run: a bare single-row
/// commit on the same disk (the floor), and the bytes one evaluation's whole
/// life writes.
struct DaemonPathBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-path",
        abstract: "Evaluations/s through the daemon's session driver and store; bytes written per evaluation."
    )

    @Option(help: "Directory for the database files (default: a fresh temporary directory).")
    var directory: String?

    @Option(help: "Inputs per run (scan+press pairs, or presses).")
    var count = 20_000

    @Option(help: "Rounds of one run of each path, alternating which goes first; the figures are medians.")
    var rounds = 9

    @Option(help: "Evaluations whose whole life (enqueue, claim, delivered, prune) is measured for bytes written.")
    var lifeCount = 500

    func run() async throws {
        let temporary = try TemporaryDirectory(prefix: "evald-bench-daemon")
        defer { temporary.remove() }
        let folder = directory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? temporary.url
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func fresh(_ name: String) -> String { folder.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6)).db").path }
        print("evald-bench daemon-path: SQLite \(BareLoop.sqliteVersion), WAL, synchronous=FULL, files in \(folder.path)")

        // Alternating rounds, so both paths see the same disk and CPU weather:
        // one run of each, 2 000 inputs, read 0.16 and 0.35 an hour apart.
        var withCases: [Double] = []
        var anonymous: [Double] = []
        for round in 1...max(1, rounds) {
            for caseScans in (round.isMultiple(of: 2) ? [false, true] : [true, false]) {
                let rate = try await Self.rate(path: fresh(caseScans ? "cases" : "anonymous"), count: count, caseScans: caseScans, round: round)
                if caseScans { withCases.append(rate) } else { anonymous.append(rate) }
            }
        }
        let ratios = zip(withCases, anonymous).map { $0 / $1 }
        let floor = try Self.bareRate(path: fresh("bare-rate"), count: count)
        print("bare single-row commit (the fsync floor of a lone evaluation): \(Int(floor)) commits/s")
        print("daemon path, case scans: \(Int(Percentiles(withCases).p50)) evaluations/s")
        print("daemon path, anonymous: \(Int(Percentiles(anonymous).p50)) evaluations/s")
        print(String(format: "daemon path, case scans vs anonymous: ratio %.2f  (median of %d rounds' ratios; range %.2f–%.2f)",
                     Percentiles(ratios).p50, ratios.count, ratios.min() ?? 0, ratios.max() ?? 0))

        let syncs = try await Self.syncsPerLoneEvaluation(path: fresh("syncs"), count: 200)
        print(String(format: "fdatasync per lone evaluation: %.2f", syncs))
        let commits = try await Self.syncsPerLoneEvaluation(path: fresh("commits"), count: 200, delivered: true)
        print(String(format: "commits per delivered evaluation (lone): %.2f", commits))

        let life = try await Self.bytesPerLife(path: fresh("life"), count: lifeCount)
        let bare = try Self.bytesPerBareCommit(path: fresh("bare"), count: lifeCount)
        if let life, let bare {
            print(String(format: "bytes written per evaluation: %d (bare commit %d, ratio %.1f)", life, bare, Double(life) / Double(max(bare, 1))))
        } else {
            print("bytes written per evaluation: unknown (/proc/self/io has no write_bytes here)")
        }
    }

    static let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB0000000X", hallCode: "H01", windowCode: "W01")

    /// Evaluations per second; inputs spaced 10 s apart in the session's
    /// (synthetic) time, so no press is filtered as bounce or too fast.
    static func rate(path: String, count: Int, caseScans: Bool, round: Int) async throws -> Double {
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0))
        defer { store.close() }
        let calendar = WorkingDayCalendar.mondayToFriday
        let driver = SessionDriver(store: store, scheduler: DefaultRatingScheduler(calendar: calendar),
                                   badReviewPolicy: BadReviewPolicy(calendar: calendar), observer: SilentSessionObserver())
        var session = CounterSession<ContinuousClock.Instant>(window: window)
        let wallStart = Date()
        let instantStart = ContinuousClock.now
        func moment(_ step: Int) -> SessionMoment<ContinuousClock.Instant> {
            SessionMoment(wall: wallStart.addingTimeInterval(Double(step) * 10), instant: instantStart.advanced(by: .seconds(step * 10)))
        }
        // As `CounterPipeline.perform` does: each input's actions are submitted
        // and the next input taken at once; the run ends when the last
        // evaluation is durable.
        let (durable, tell) = AsyncStream.makeStream(of: Int.self)
        let started = ContinuousClock.now
        for index in 0..<count {
            if caseScans {
                let scan = Scan.caseReceipt(CaseTicket(projectNo: "P\(100_000_000 + index)", taskCode: "T1"))
                let state = await driver.caseState(for: scan)
                driver.submit(session.receive(scan, caseState: state, at: moment(2 * index))) { _ in }
            }
            let rating = Rating(rawValue: 1 + index % 5) ?? .satisfied
            driver.submit(session.press(Press(rating: rating, deviceId: "kbd-1"), at: moment(2 * index + 1))) { tell.yield($0.count) }
        }
        let producerDone = started.duration(to: .now)
        var stored = 0
        var answered = 0
        for await batch in durable {
            stored += batch
            answered += 1
            if answered == count { break }
        }
        let elapsed = started.duration(to: .now)
        let statistics = store.writerStatistics
        // Inputs taken long before the last is durable: the writer, not the session, bounds the rate.
        print(String(format: "  round %d, %@: %.0f/s (%d commits, %.1f operations per commit; inputs taken in %.3f s, all durable after %.3f s)",
                     round, caseScans ? "case scans" : "anonymous", Double(count) / elapsed.seconds, statistics.transactions,
                     Double(statistics.operations) / Double(max(statistics.transactions, 1)), producerDone.seconds, elapsed.seconds))
        guard stored == count else { throw ValidationError("only \(stored) of \(count) inputs became evaluations") }
        return Double(count) / elapsed.seconds
    }

    static func bareRate(path: String, count: Int) throws -> Double {
        let bare = try BareLoop(path: path)
        var total = 0.0
        for _ in 0..<count { total += try bare.insertAndCommit() }
        return Double(count) / (total / 1000)
    }

    /// write_bytes of this process so far (what it made the kernel send to storage).
    static func writtenBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Bytes written per evaluation over its whole life: enqueued one at a time
    /// (each its own commit, as a lone press is), claimed, delivered, pruned.
    static func bytesPerLife(path: String, count: Int) async throws -> Int? {
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0, deliveredRetentionDays: 0))
        let evaluations = (0..<count).map { _ in SampleEvaluation.make() }
        guard let before = writtenBytes() else { store.close(); return nil }
        for evaluation in evaluations { try await store.enqueue(evaluation) }
        while true {
            let claimed = try await store.claim(limit: 1, now: Date())
            if claimed.isEmpty { break }
            try await store.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
        }
        try await store.prune(now: Date().addingTimeInterval(1))
        store.close()
        guard let after = writtenBytes() else { return nil }
        return (after - before) / count
    }

    /// Syncs (fdatasync: SQLite's xSync) per evaluation enqueued alone and
    /// awaited, as a lone press is: counted by the logging VFS of the
    /// power-cut tests (`CCrashVFS`), which passes every call through. With
    /// `delivered`, each is also claimed and settled delivered alone, as the
    /// forwarder does with a lone rating: in WAL with `synchronous=FULL`
    /// every commit syncs once, so this counts the commits of its life.
    static func syncsPerLoneEvaluation(path: String, count: Int, delivered: Bool = false) async throws -> Double {
        guard crashvfs_install() == 0 else { throw ValidationError("cannot install the counting VFS") }
        defer { crashvfs_uninstall() }
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0))
        defer { store.close() }
        for _ in 0..<10 { try await store.enqueue(SampleEvaluation.make()) }  // schema, first pages
        func syncs() -> Int {
            (0..<crashvfs_count()).reduce(0) { count, index in
                count + (crashvfs_entry_at(index).pointee.op == Int32(CRASHVFS_SYNC.rawValue) ? 1 : 0)
            }
        }
        let before = syncs()
        for _ in 0..<count {
            try await store.enqueue(SampleEvaluation.make())
            guard delivered else { continue }
            let claimed = try await store.claim(limit: 1, now: Date())
            try await store.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: Date())
        }
        return Double(syncs() - before) / Double(count)
    }

    static func bytesPerBareCommit(path: String, count: Int) throws -> Int? {
        let bare = try BareLoop(path: path)
        guard let before = writtenBytes() else { return nil }
        for _ in 0..<count { _ = try bare.insertAndCommit() }
        guard let after = writtenBytes() else { return nil }
        return (after - before) / count
    }
}
