import CCrashVFS
import EvalCore
import EvalQueue
import EvalSession
import EvalTesting
import Foundation
import Logging
import Synchronization

/// `evalq-crash-probe powercut <dir> [seed]`: power-cut simulation, beyond SIGKILL.
///
/// 1. With the logging VFS (`CCrashVFS`) as SQLite's default, drives the real
///    store through a workload — four producers through the daemon's
///    `SessionDriver` (case openings, ratings, bad reviews, anonymous presses),
///    one submitting scan+rating pairs back to back (a burst: the rating
///    absorbs the opening), a forwarder claiming and settling, a default pass,
///    a prune of every delivered record, the final checkpoint — and notes, for
///    every acknowledged step, how much of the write log existed when it was
///    acknowledged.
/// 2. For every point just before a sync, builds the images a power cut there
///    could leave (each file: its writes up to its last sync, plus none, all,
///    or a seeded random subset of its later writes, some torn at 512-byte
///    sectors), opens each with the real store, and checks: every evaluation
///    acknowledged before the cut is there exactly once and no earlier than
///    acknowledged, or pruned after delivery with its case's rated row naming
///    it; no case rated twice, none open with an evaluation; the file is
///    intact (`integrity_check`) and was not moved aside.
/// Prints `power-cut: explored N crash states at S sync points, V violations`.
enum PowerCut {
    struct Acknowledged {
        var id: EvaluationID
        var logLength: Int
        var delivered: Bool
        /// The case a citizen's rating rated (its settled row must outlive the evaluation).
        var projectNo: String?
    }

    final class Journal: Sendable {
        private let entries = Mutex<[Acknowledged]>([])
        private let prune = Mutex<Int?>(nil)
        func note(_ id: EvaluationID, delivered: Bool = false, projectNo: String? = nil) {
            let length = crashvfs_count()
            entries.withLock { $0.append(Acknowledged(id: id, logLength: length, delivered: delivered, projectNo: projectNo)) }
        }
        func notePruneStart() {
            let length = crashvfs_count()
            prune.withLock { $0 = length }
        }
        var all: [Acknowledged] { entries.withLock { $0 } }
        /// The log's length when the prune began: from there, a delivered record may be gone.
        var pruneBegan: Int? { prune.withLock { $0 } }
    }

    static func run(directory: String, seed: UInt64) async throws -> Int32 {
        let work = directory + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        guard crashvfs_install() == 0 else { throw ProbeError("cannot register the logging VFS") }
        let journal = Journal()
        try await workload(path: work + "/queue.db", journal: journal)
        crashvfs_uninstall()

        let log = (0..<crashvfs_count()).map { crashvfs_entry_at($0).pointee }
        let names = (0..<crashvfs_file_count()).map { String(cString: crashvfs_file_name(Int32($0))) }
        // Knobs for a hunt (not used by the test): only the last N sync
        // points, V variants at each, S violations printed.
        let environment = ProcessInfo.processInfo.environment
        let allSyncPoints = log.indices.filter { log[$0].op == Int32(CRASHVFS_SYNC.rawValue) }
        let syncPoints = environment["POWERCUT_LAST_SYNC_POINTS"].flatMap { Int($0) }.map { Array(allSyncPoints.suffix($0)) } ?? allSyncPoints
        let variants = environment["POWERCUT_VARIANTS"].flatMap { Int($0) } ?? max(4, (1_000 + syncPoints.count - 1) / max(1, syncPoints.count))
        var diagnosis: [String] = []
        var generator = SplitMix64(seed: seed)
        var explored = 0
        var violations: [String] = []
        let acknowledged = journal.all
        let images = directory + "/images"
        for point in syncPoints {
            for variant in 0..<variants {
                try? FileManager.default.removeItem(atPath: images)
                try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
                let random = generator
                let fates = try buildImage(log: Array(log[..<point]), names: names, variant: variant, into: images, generator: &generator)
                let before = acknowledged.filter { $0.logLength <= point }
                let pruning = journal.pruneBegan.map { point >= $0 } ?? false
                let problems = try check(path: images + "/queue.db", acknowledged: before, pruning: pruning)
                if !problems.isEmpty, diagnosis.isEmpty {
                    // The same image again (same random draws): the store has recovered and checkpointed the first.
                    var again = random
                    try? FileManager.default.removeItem(atPath: images)
                    try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
                    try buildImage(log: Array(log[..<point]), names: names, variant: variant, into: images, generator: &again)
                    diagnosis = PowerCutDiagnosis.describe(point: point, variant: variant, log: log, names: names, fates: fates,
                                                           images: images, problems: problems, acknowledged: before)
                    // Kept for sqlite3 and a second look: DIR/violation-image.
                    let kept = directory + "/violation-image"
                    try? FileManager.default.copyItem(atPath: images, toPath: kept)
                    diagnosis.append("DIAG the image is kept in \(kept)")
                    // The same bytes checked again from another path: were the
                    // records missing from the image, or from how it was read?
                    let recheck = try check(path: kept + "/queue.db", acknowledged: before, pruning: pruning)
                    diagnosis.append("DIAG the kept image checked again: \(recheck.count) problem(s)")
                    try? FileManager.default.removeItem(atPath: kept)
                    try? FileManager.default.copyItem(atPath: images, toPath: kept)
                }
                for problem in problems {
                    violations.append("cut before log entry \(point), variant \(variant): \(problem)")
                }
                explored += 1
            }
        }
        print("power-cut: \(log.count) logged writes and syncs, \(acknowledged.count) acknowledged steps")
        print("power-cut: explored \(explored) crash states at \(syncPoints.count) sync points, \(violations.count) violations")
        for violation in violations.prefix(environment["POWERCUT_SHOW"].flatMap { Int($0) } ?? 20) { print("VIOLATION \(violation)") }
        for line in diagnosis { print(line) }
        return violations.isEmpty ? 0 : 1
    }

    /// Several producers, a forwarder, a default pass, a prune, a checkpoint.
    static func workload(path: String, journal: Journal) async throws {
        // Retention 0: the prune deletes every delivered record, and with it
        // writes the settled rows of the cases they rated.
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0, deliveredRetentionDays: 0))
        let calendar = WorkingDayCalendar.mondayToFriday
        let scheduler = DefaultRatingScheduler(calendar: calendar)
        let driver = SessionDriver(store: store, scheduler: scheduler, badReviewPolicy: BadReviewPolicy(calendar: calendar), observer: SilentSessionObserver())
        let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB0000000X", hallCode: "H01", windowCode: "W01")
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask {
                    for index in 0..<25 {
                        let projectNo = "PC\(producer)-\(index)"
                        // Every third case is never rated: it falls to the default pass.
                        let opened = index % 3 == 0 ? longAgo : Date()
                        let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "T1"), window: window,
                                                  staff: [], deviceId: "kbd-\(producer)", openedAt: opened)
                        await driver.perform([.openCase(opening)])
                        guard index % 3 != 0 else { continue }
                        let rating: Rating = index % 4 == 0 ? .veryDissatisfied : .satisfied
                        let rated = SampleEvaluation.make(rating: rating, window: "W01", projectNo: projectNo, realName: index % 2 == 0)
                        for stored in await driver.perform([.emit(rated)]) { journal.note(stored.evaluationId, projectNo: projectNo) }
                        let anonymous = SampleEvaluation.make(rating: .verySatisfied, window: "W0\(producer)")
                        for stored in await driver.perform([.emit(anonymous)]) { journal.note(stored.evaluationId) }
                    }
                }
            }
            // Scan and rating submitted back to back, as the pipeline does in a
            // burst: when they share a batch the rating absorbs the opening and
            // the case has no ledger row until its evaluation leaves the table.
            group.addTask {
                let policy = BadReviewPolicy(calendar: calendar)
                for index in 0..<12 {
                    let projectNo = "PB-\(index)"
                    let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "T1"), window: window,
                                              staff: [], deviceId: "kbd-burst", openedAt: Date())
                    let rated = SampleEvaluation.make(rating: index % 4 == 0 ? .dissatisfied : .satisfied, window: "W01", projectNo: projectNo)
                    let ledger = try CaseLedgerUpdate(rated, badReviewPolicy: policy)
                    let (outcomes, tell) = AsyncStream.makeStream(of: Bool.self)
                    store.submitOpenCase(opening, due: scheduler.due(openedAt: opening.openedAt)) { _ in tell.yield(false) }
                    store.submit(rated, ledger: ledger) { result in tell.yield((try? result.get()) == .enqueued) }
                    var answers = 0
                    for await stored in outcomes {
                        if stored { journal.note(rated.evaluationId, projectNo: projectNo) }
                        answers += 1
                        if answers == 2 { break }
                    }
                }
            }
            group.addTask {
                for _ in 0..<30 {
                    let claimed = try await store.claim(limit: 5, now: Date())
                    let outcomes: [DeliveryOutcome] = claimed.enumerated().map { index, record in
                        index % 3 == 2 ? .retry(record.evaluation.evaluationId, error: "503", notBefore: Date())
                                       : .delivered(record.evaluation.evaluationId)
                    }
                    try await store.settle(outcomes, now: Date())
                    for (record, outcome) in zip(claimed, outcomes) {
                        if case .delivered(let id) = outcome { journal.note(id, delivered: true, projectNo: record.evaluation.projectNo) }
                    }
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        let pass = await store.applyDueDefaults(at: Date())
        for evaluation in pass.enqueued { journal.note(evaluation.evaluationId) }
        journal.notePruneStart()
        try await store.prune(now: Date().addingTimeInterval(1))
        store.close()  // the checkpoint (TRUNCATE)
    }

    /// Replays `log` into files under `directory`: each file's writes up to its
    /// last sync; of its later writes none (variant 0), all (1), or a seeded
    /// subset, some torn (2…). Truncates and deletes take effect where they are.
    /// Returns what it did with each write after its file's last sync (`PowerCutDiagnosis`).
    @discardableResult
    static func buildImage(log: [crashvfs_entry], names: [String], variant: Int, into directory: String,
                           generator: inout SplitMix64) throws -> [Int: PowerCutDiagnosis.Fate] {
        var fates: [Int: PowerCutDiagnosis.Fate] = [:]
        var lastSync = [Int](repeating: -1, count: names.count)
        for (index, entry) in log.enumerated() where entry.op == Int32(CRASHVFS_SYNC.rawValue) { lastSync[Int(entry.file)] = index }
        // Foundation's Data, not [UInt8]: its copies are memcpy even in a debug build.
        var files = [Data?](repeating: nil, count: names.count)
        for (index, entry) in log.enumerated() {
            let file = Int(entry.file)
            switch entry.op {
            case Int32(CRASHVFS_WRITE.rawValue):
                var length = Int(entry.length)
                if index > lastSync[file] {
                    switch variant {
                    case 0: fates[index] = .dropped; continue
                    case 1: fates[index] = .kept
                    default:
                        let roll = generator.next() % 4
                        if roll == 0 { fates[index] = .dropped; continue }
                        if roll == 1, length > 512 { length = 512 * Int(generator.next() % UInt64(length / 512)) }
                        fates[index] = length == Int(entry.length) ? .kept : .torn(length)
                    }
                }
                guard length > 0, let data = entry.data else { continue }
                if files[file] == nil { files[file] = Data() }
                let offset = Int(entry.offset)
                if files[file]!.count < offset + length { files[file]!.count = offset + length }
                files[file]!.replaceSubrange(offset..<(offset + length), with: data, count: length)
            case Int32(CRASHVFS_TRUNCATE.rawValue):
                if files[file] == nil { files[file] = Data() }
                files[file]!.count = Int(entry.offset)
            case Int32(CRASHVFS_DELETE.rawValue):
                files[file] = nil
            default:
                break
            }
        }
        for (index, name) in names.enumerated() {
            guard let content = files[index] else { continue }
            let base = (name as NSString).lastPathComponent
            try content.write(to: URL(fileURLWithPath: directory + "/" + base))
        }
        return fates
    }

    /// What must hold in the image a power cut left.
    /// `pruning`: the cut came after the prune began, so a record acknowledged
    /// delivered may be gone — and if it rated a case, that case's settled row
    /// must name it.
    static func check(path: String, acknowledged: [Acknowledged], pruning: Bool) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else {
            return acknowledged.isEmpty ? [] : ["no database file, \(acknowledged.count) acknowledged steps lost"]
        }
        var problems: [String] = []
        // The real store opens it: integrity check, migrations, crash recovery.
        let store = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0),
                                        logger: Logger(label: "powercut") { SwiftLogNoOpLogHandler($0) })
        defer { store.close() }
        if let moved = store.quarantinedFile { return ["the store found the file damaged and moved it to \(moved)"] }
        let db = try Connection(path: path, mode: .readOnly)
        var states: [String: String] = [:]
        let rows = try db.prepare("SELECT evaluation_id, state FROM evaluations").rows([]) {
            ($0.column(0, as: String.self) ?? "", $0.column(1, as: String.self) ?? "")
        }
        for (id, state) in rows { states[id] = state }
        let delivered = Set(acknowledged.filter(\.delivered).map(\.id))
        for step in acknowledged {
            guard let state = states[step.id.description] else {
                guard pruning, delivered.contains(step.id) else {
                    problems.append("acknowledged evaluation \(step.id) missing")
                    continue
                }
                if let projectNo = step.projectNo, !step.delivered,
                   try db.scalar("SELECT evaluation_id FROM ledger_cases WHERE project_no = ? AND state = 'rated'", [projectNo],
                                 as: String.self) != step.id.description {
                    problems.append("case \(projectNo): its rating \(step.id) was pruned, and no rated row names it")
                }
                continue
            }
            if step.delivered, state != "delivered" { problems.append("\(step.id) acknowledged delivered, found \(state)") }
        }
        if let integrity = try db.scalar("PRAGMA integrity_check", as: String.self), integrity != "ok" {
            problems.append("integrity_check: \(integrity)")
        }
        let twice = try db.prepare("""
            SELECT project_no, count(*) FROM evaluations WHERE project_no IS NOT NULL GROUP BY project_no HAVING count(*) > 1
            """).rows { "\($0.column(0, as: String.self) ?? "?") has \($0.column(1, as: Int.self) ?? 0) evaluations" }
        problems += twice
        let openButRated = try db.prepare("""
            SELECT c.project_no FROM ledger_cases c JOIN evaluations e ON e.project_no = c.project_no WHERE c.state = 'open'
            """).rows { "case \($0.column(0, as: String.self) ?? "?") is open but has an evaluation" }
        problems += openButRated
        return problems
    }
}

struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
