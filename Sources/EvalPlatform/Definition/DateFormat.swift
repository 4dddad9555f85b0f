import EvalCore
import Foundation

/// A date-time form a platform wants, in Asia/Shanghai: a pattern of `yyyy`,
/// `MM`, `dd`, `HH`, `mm`, `ss` and literal characters
/// (`yyyy-MM-dd HH:mm:ss`, `yyyyMMddHHmmss`), or `unixMillis` / `unixSeconds`.
public struct DateFormat: Sendable, Hashable {
    public let pattern: String
    private enum Token: Hashable { case year, month, day, hour, minute, second, literal(Character) }
    private let tokens: [Token]

    public static let evald = try! DateFormat("yyyy-MM-dd HH:mm:ss")

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        if pattern == "unixMillis" || pattern == "unixSeconds" { tokens = []; return }
        var tokens: [Token] = []
        var rest = Substring(pattern)
        let names: [(String, Token)] = [("yyyy", .year), ("MM", .month), ("dd", .day), ("HH", .hour), ("mm", .minute), ("ss", .second)]
        outer: while let c = rest.first {
            for (name, token) in names where rest.hasPrefix(name) {
                tokens.append(token)
                rest = rest.dropFirst(name.count)
                continue outer
            }
            guard !c.isLetter else { throw Invalid(description: "date format \"\(pattern)\": unknown letter '\(c)' (use yyyy MM dd HH mm ss, or unixMillis / unixSeconds)") }
            tokens.append(.literal(c))
            rest = rest.dropFirst()
        }
        guard tokens.contains(.year) else { throw Invalid(description: "date format \"\(pattern)\" has no yyyy") }
        self.tokens = tokens
    }

    public func format(_ date: Date) -> String {
        switch pattern {
        case "unixMillis": return String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        case "unixSeconds": return String(Int64(date.timeIntervalSince1970.rounded(.down)))
        default: break
        }
        let c = ShanghaiTime.components(date)
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var out = ""
        for token in tokens {
            switch token {
            case .year: out += pad(c.year, 4)
            case .month: out += pad(c.month)
            case .day: out += pad(c.day)
            case .hour: out += pad(c.hour)
            case .minute: out += pad(c.minute)
            case .second: out += pad(c.second)
            case .literal(let ch): out.append(ch)
            }
        }
        return out
    }

    public func parse(_ text: String) -> Date? {
        switch pattern {
        case "unixMillis": return Int64(text).map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) }
        case "unixSeconds": return Int64(text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        default: break
        }
        var rest = Substring(text)
        var v = [Token: Int]()
        for token in tokens {
            switch token {
            case .literal(let ch):
                guard rest.first == ch else { return nil }
                rest = rest.dropFirst()
            default:
                let width = token == .year ? 4 : 2
                let digits = rest.prefix(width)
                guard digits.count == width, digits.allSatisfy(\.isASCII), let n = Int(digits) else { return nil }
                v[token] = n
                rest = rest.dropFirst(width)
            }
        }
        guard rest.isEmpty else { return nil }
        func two(_ n: Int?) -> String { let s = String(n ?? 0); return s.count >= 2 ? s : "0" + s }
        return ShanghaiTime.parse("\(v[.year] ?? 0)-\(two(v[.month] ?? 1))-\(two(v[.day] ?? 1)) \(two(v[.hour])):\(two(v[.minute])):\(two(v[.second]))")
    }
}
