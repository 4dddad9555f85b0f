import Foundation

/// One reason of the national `evalDetail` table: a code, the level it
/// belongs to, and its label (empty where no public source gives one).
public struct Reason: Hashable, Sendable, Codable {
    public var code: Int
    public var level: Rating
    public var label: String

    public init(code: Int, level: Rating, label: String = "") {
        self.code = code
        self.level = level
        self.label = label
    }
}

/// The reason table (`config/reason-codes.json`, replaceable per province):
/// which `evalDetail` codes exist and at which level. Pure: the I/O side
/// reads the file and hands the bytes to `decode(json:)`.
///
/// A reason says what the citizen meant by the level they pressed, so a code
/// is taken only with its own level: 213 (不满意) with a 非常满意 press is
/// refused, never sent.
public struct ReasonCatalog: Sendable, Hashable {
    /// At most this many codes in one evaluation: a reason list, not a survey.
    public static let maximumCodes = 8

    /// The national ranges, one per level (510–517 非常满意 … 108–115 非常不满意).
    public static let nationalRanges: [Rating: ClosedRange<Int>] = [
        .verySatisfied: 510...517, .satisfied: 406...413, .basicallySatisfied: 307...314,
        .dissatisfied: 207...214, .veryDissatisfied: 108...115,
    ]

    public private(set) var reasons: [Int: Reason]

    public init(_ reasons: [Reason]) throws(ReasonError) {
        var table: [Int: Reason] = [:]
        for reason in reasons {
            guard (1...999).contains(reason.code) else { throw .invalidTable("code \(reason.code) is not 1–999") }
            guard table[reason.code] == nil else { throw .invalidTable("code \(reason.code) is listed twice") }
            table[reason.code] = reason
        }
        self.reasons = table
    }

    /// The national codes with no labels but 213 and 214 (DOMAIN.md): what
    /// applies when no table file is configured.
    public static let national: ReasonCatalog = {
        let known = [213: "业务不熟练", 214: "态度生硬"]
        let all = nationalRanges.flatMap { level, range in range.map { Reason(code: $0, level: level, label: known[$0] ?? "") } }
        return try! ReasonCatalog(all)  // distinct by construction
    }()

    private struct File: Decodable {
        struct Entry: Decodable { var code: Int; var level: Int; var label: String? }
        var reasons: [Entry]
    }

    /// `{"reasons":[{"code":213,"level":2,"label":"业务不熟练"},…]}`; other keys
    /// (`comment`, `source`) are for people.
    public static func decode(json: Data) throws(ReasonError) -> ReasonCatalog {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: json) } catch {
            throw .invalidTable("not a reason table: \(error)")
        }
        var reasons: [Reason] = []
        for entry in file.reasons {
            guard let level = Rating(rawValue: entry.level) else {
                throw .invalidTable("code \(entry.code): level \(entry.level) is not 1–5")
            }
            reasons.append(Reason(code: entry.code, level: level, label: entry.label ?? ""))
        }
        return try ReasonCatalog(reasons)
    }

    public func reason(_ code: Int) -> Reason? { reasons[code] }

    /// The label of `code`, or the code itself when the table has none.
    public func display(_ code: Int) -> String {
        guard let label = reasons[code]?.label, !label.isEmpty else { return String(code) }
        return "\(code) \(label)"
    }

    /// `codes` checked against the pressed level: each known, of that level,
    /// none twice, at most `maximumCodes`. Returned in the order given.
    public func check(_ codes: [Int], for level: Rating) throws(ReasonError) -> [Int] {
        guard !codes.isEmpty else { throw .empty }
        guard codes.count <= Self.maximumCodes else { throw .tooMany(codes.count) }
        var seen: Set<Int> = []
        for code in codes {
            guard let reason = reasons[code] else { throw .unknownCode(code) }
            guard reason.level == level else { throw .wrongLevel(code: code, codeLevel: reason.level, pressed: level) }
            guard seen.insert(code).inserted else { throw .repeated(code) }
        }
        return codes
    }

    /// `"213,214"` → `[213, 214]`; what the platform's `evalDetail` holds.
    public static func parse(_ text: String) throws(ReasonError) -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var codes: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), let code = Int(part) else {
                throw .malformed(String(part.prefix(12)))
            }
            codes.append(code)
        }
        return codes
    }

    /// `[213, 214]` → `"213,214"`.
    public static func format(_ codes: [Int]) -> String { codes.map(String.init).joined(separator: ",") }
}

/// Why a reason table or a reason list was refused; `description` is the
/// message a business page or a technician sees.
public enum ReasonError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTable(String)
    case empty
    case tooMany(Int)
    case malformed(String)
    case unknownCode(Int)
    case wrongLevel(code: Int, codeLevel: Rating, pressed: Rating)
    case repeated(Int)

    public var description: String {
        switch self {
        case .invalidTable(let why): "reason table: \(why)"
        case .empty: "evalDetail holds no code"
        case .tooMany(let count): "evalDetail holds \(count) codes; at most \(ReasonCatalog.maximumCodes)"
        case .malformed(let part): "evalDetail must be codes separated by commas (\"213,214\"), not \"\(part)\""
        case .unknownCode(let code): "reason code \(code) is not in the reason table"
        case .wrongLevel(let code, let codeLevel, let pressed):
            "reason code \(code) belongs to \(codeLevel.chineseName), but the rating was \(pressed.chineseName)"
        case .repeated(let code): "reason code \(code) is given twice"
        }
    }
}
