import CCrashVFS
import EvalCore
import Foundation

/// What the first violating crash state was made of, printed as `DIAG` lines
/// so that a violation seen once (in CI, under load) can be understood from
/// the log alone: per file, its last sync and what the variant did with each
/// later write; the image's WAL as recovery will read it (header salts, valid
/// frames, last commit); and the log entries just before the cut.
enum PowerCutDiagnosis {
    /// What `buildImage` did with one write after its file's last sync.
    enum Fate: CustomStringConvertible {
        case kept, dropped, torn(Int)
        var description: String {
            switch self {
            case .kept: "kept"
            case .dropped: "dropped"
            case .torn(let bytes): "torn to \(bytes)"
            }
        }
    }

    static func describe(point: Int, variant: Int, log: [crashvfs_entry], names: [String], fates: [Int: Fate],
                         images: String, problems: [String], acknowledged: [PowerCut.Acknowledged]) -> [String] {
        var lines = ["DIAG cut before log entry \(point), variant \(variant): \(problems.count) problem(s)"]
        var lastSync = [Int](repeating: -1, count: names.count)
        for index in 0..<point where log[index].op == Int32(CRASHVFS_SYNC.rawValue) { lastSync[Int(log[index].file)] = index }
        for (file, name) in names.enumerated() {
            let later = (0..<point).filter { Int(log[$0].file) == file && $0 > lastSync[file] }
            let described = later.map { index -> String in
                let entry = log[index]
                switch entry.op {
                case Int32(CRASHVFS_WRITE.rawValue): return "#\(index) w@\(entry.offset)+\(entry.length) \(fates[index].map(String.init(describing:)) ?? "?")"
                case Int32(CRASHVFS_TRUNCATE.rawValue): return "#\(index) truncate \(entry.offset)"
                case Int32(CRASHVFS_DELETE.rawValue): return "#\(index) delete"
                default: return "#\(index) op \(entry.op)"
                }
            }
            lines.append("DIAG \((name as NSString).lastPathComponent): last sync #\(lastSync[file]), after it: "
                         + (described.isEmpty ? "nothing" : described.prefix(40).joined(separator: ", ")))
        }
        lines.append("DIAG image WAL (as built, before the store opened it): " + walSummary(images + "/queue.db-wal"))
        lines.append("DIAG image database: " + databaseSummary(images + "/queue.db"))
        let missing = Set(problems.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
        for step in acknowledged where missing.contains(step.id.description) {
            lines.append("DIAG \(step.id) acknowledged at log length \(step.logLength)\(step.delivered ? " (delivered)" : "")")
        }
        for index in max(0, point - 30)..<point {
            let entry = log[index]
            lines.append("DIAG #\(index) \((names[Int(entry.file)] as NSString).lastPathComponent) op \(entry.op) offset \(entry.offset) length \(entry.length)")
        }
        return lines
    }

    /// The database header fields that decide how SQLite opens the file.
    static func databaseSummary(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "absent" }
        guard data.count >= 100 else { return "\(data.count) bytes (no header)" }
        let bytes = [UInt8](data)
        func be(_ at: Int, _ n: Int) -> Int { bytes[at..<(at + n)].reduce(0) { $0 << 8 | Int($1) } }
        return "\(data.count) bytes, page \(be(16, 2)), write/read version \(bytes[18])/\(bytes[19]), change counter \(be(24, 4)), "
            + "pages in header \(be(28, 4)) (valid for \(be(92, 4)))"
    }

    /// The WAL as SQLite's recovery reads it: the header, then frames while
    /// their salts match and their cumulative checksum holds.
    static func walSummary(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "absent" }
        guard data.count >= 32 else { return "\(data.count) bytes (no header)" }
        let bytes = [UInt8](data)
        func be32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        let magic = be32(0)
        guard magic & 0xFFFF_FFFE == 0x377F_0682 else { return "\(data.count) bytes, bad magic \(String(magic, radix: 16))" }
        let bigEndianChecksums = magic & 1 == 1
        let pageSize = Int(be32(8))
        let salts = (be32(16), be32(20))
        var s = (UInt32(0), UInt32(0))
        func checksum(_ range: Range<Int>) {
            var at = range.lowerBound
            while at < range.upperBound {
                let (a, b) = bigEndianChecksums ? (be32(at), be32(at + 4))
                    : (UInt32(littleEndian: bytes[at..<(at + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }),
                       UInt32(littleEndian: bytes[(at + 4)..<(at + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
                s.0 = s.0 &+ a &+ s.1
                s.1 = s.1 &+ b &+ s.0
                at += 8
            }
        }
        checksum(0..<24)
        guard s == (be32(24), be32(28)) else { return "\(data.count) bytes, header checksum wrong" }
        var frames = 0, lastCommit = 0
        var offset = 32
        while offset + 24 + pageSize <= bytes.count {
            guard (be32(offset + 8), be32(offset + 12)) == salts else { break }
            checksum(offset..<(offset + 8))
            checksum((offset + 24)..<(offset + 24 + pageSize))
            guard s == (be32(offset + 16), be32(offset + 20)) else { break }
            frames += 1
            if be32(offset + 4) != 0 { lastCommit = frames }
            offset += 24 + pageSize
        }
        return "\(data.count) bytes, page \(pageSize), checkpoint \(be32(12)), salts \(String(salts.0, radix: 16))/\(String(salts.1, radix: 16)), "
            + "\(frames) valid frame(s), last commit at frame \(lastCommit) of \((bytes.count - 32) / (24 + pageSize))"
    }
}
