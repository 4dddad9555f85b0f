import EvalCore
import Foundation

/// Everything the simulator remembers, behind one lock: the unique
/// evaluations (the idempotency set), the nonces seen in the timestamp
/// window, counters, and the current faults.
final class SimulatorState: @unchecked Sendable {
    struct Stats: Codable, Sendable {
        /// Records in batches that passed authentication and parsing.
        var received = 0
        var unique = 0
        var duplicates = 0
        var rejected = 0
        var requests = 0
        var unauthorized = 0
        var malformed = 0
        var tooLarge = 0
        var injectedErrors = 0
        var throttled = 0
        var dropped = 0
        var garbage = 0
    }

    private let lock = NSLock()
    private var stats = Stats()
    private var ids: Set<String> = []
    private var orderedIds: [String] = []
    private var nonces: [String: Int64] = [:]
    private var faults: Faults
    private var seeder: SplitMix64?
    private let store: FileHandle?

    init(faults: Faults, storePath: String?) throws {
        self.faults = faults
        seeder = faults.seed.map(SplitMix64.init(seed:))
        if let storePath {
            if !FileManager.default.fileExists(atPath: storePath) {
                _ = FileManager.default.createFile(atPath: storePath, contents: nil)
            }
            let existing = FileManager.default.contents(atPath: storePath) ?? Data()
            let decoder = JSONDecoder()
            for line in existing.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                if let record = try? decoder.decode(ReceivedRecord.self, from: Data(line)), let id = record.evaluationId?.lowercased(),
                   ids.insert(id).inserted {
                    orderedIds.append(id)
                }
            }
            stats.unique = ids.count
            store = try FileHandle(forWritingTo: URL(fileURLWithPath: storePath))
            try store?.seekToEnd()
        } else {
            store = nil
        }
    }

    func currentFaults() -> Faults { lock.withLock { faults } }
    func setFaults(_ new: Faults) { lock.withLock { (faults, seeder) = (new, new.seed.map(SplitMix64.init(seed:))) } }

    /// The generator one request draws its faults from: with a seed, the n-th
    /// request since the faults were set is seeded by the seed's n-th output.
    func requestGenerator() -> SplitMix64 {
        lock.withLock {
            guard var seeder else { return SplitMix64(seed: .random(in: .min ... .max)) }
            defer { self.seeder = seeder }
            return SplitMix64(seed: seeder.next())
        }
    }
    func snapshot() -> Stats { lock.withLock { stats } }
    func uniqueIds() -> [String] { lock.withLock { orderedIds } }
    func count(_ body: (inout Stats) -> Void) { lock.withLock { body(&stats) } }

    /// Records a nonce; false if it was seen within the window. Nonces older
    /// than the window are forgotten: their timestamps would fail anyway.
    func useNonce(_ nonce: String, timestampMillis: Int64, nowMillis: Int64, windowMillis: Int64) -> Bool {
        lock.withLock {
            if nonces.count > 100_000 {
                nonces = nonces.filter { nowMillis - $0.value <= windowMillis * 2 }
            }
            guard nonces[nonce] == nil else { return false }
            nonces[nonce] = timestampMillis
            return true
        }
    }

    enum Admission { case accepted, duplicate }

    /// A valid record of a batch: its lowercased id, and its store line if storing.
    struct Candidate {
        var id: String
        var line: Data?
    }

    var isStoring: Bool { store != nil }

    /// Stores each valid record of one batch unless its id is known, and counts
    /// the batch's `rejected` records, under one lock acquisition.
    func admit(_ candidates: [Candidate], rejected: Int) -> [Admission] {
        lock.withLock {
            stats.received += candidates.count + rejected
            stats.rejected += rejected
            var admissions: [Admission] = []
            admissions.reserveCapacity(candidates.count)
            var out = Data()
            for candidate in candidates {
                guard ids.insert(candidate.id).inserted else {
                    stats.duplicates += 1
                    admissions.append(.duplicate)
                    continue
                }
                orderedIds.append(candidate.id)
                stats.unique += 1
                if let line = candidate.line {
                    out.append(line)
                    out.append(UInt8(ascii: "\n"))
                }
                admissions.append(.accepted)
            }
            if let store, !out.isEmpty { store.write(out) }
            return admissions
        }
    }
}
