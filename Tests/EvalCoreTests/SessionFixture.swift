import EvalCore
import Foundation

/// A counter-session fixture: a timed sequence of scans and presses, each
/// followed by the actions it must produce. One file per scenario in
/// `Fixtures/sessions/*.session`; the format is documented in docs/sessions.md:
///
///     window area=533103 hall=H01 window=W07 staff=wangfang:王芳
///     policy debounce=50ms interval=3s hold=120s identity=60s workday-end=18:00
///     day 2026-03-02
///     ledger 2026030100009 rated            # what the ledger knew before the start
///     09:00:10.000 scan 2026030200001       # raw scanner payload: the rest of the line
///       => open case=2026030200001
///     09:01:00.000 press 5 kbd-1
///       => emit rating=5 case=2026030200001 staff=lisi evaluator=none
///     09:01:00.020 press 4 kbd-1
///       => filtered bounce rating=4
///     09:02:00.000 close 2026030200001 countdown-ended   # the counter API closed it
///     18:00:00.000 tick
///       => log logged out at the end of the working day
///
/// Every non-log action an input produces must be expected, in order; an
/// input without `=>` lines must produce none. `=> log TEXT` requires a log
/// line containing TEXT. Keys not written in an expectation are not checked.
struct SessionFixture {
    enum Input {
        case scan(String)
        case press(Rating, device: String)
        /// The business system closed the evaluator for a case (the counter API).
        case close(projectNo: String, ServiceClose)
        case tick
    }

    struct Expectation {
        enum Kind: Equatable { case emit, filtered(String), open, log(String), reason, prompt(String) }
        var kind: Kind
        var fields: [String: String]
        var line: Int
    }

    struct Step {
        var line: Int
        var wall: Date
        var input: Input
        var expectations: [Expectation] = []
        /// `ledger` lines seen just before this step.
        var ledger: [String: CaseLedgerState] = [:]
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var window = WindowConfiguration(areaCode: "533103", windowCode: "W01")
    var policy = SessionPolicy()
    var steps: [Step] = []
    var initialLedger: [String: CaseLedgerState] = [:]

    init(text: String) throws {
        var day: CivilDate?
        var pendingLedger: [String: CaseLedgerState] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = String(rawLine)
            // Comments: `#` at the start or after whitespace (scan payloads keep theirs otherwise).
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            if let range = line.range(of: "  #") ?? line.range(of: "\t#") { line = String(line[..<range.lowerBound]) }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let words = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            func fail(_ message: String) -> ParseError { ParseError(line: number, message: message) }

            switch words[0] {
            case "window":
                let fields = try Self.keyValues(words.dropFirst(), line: number)
                window = WindowConfiguration(
                    areaCode: fields["area"] ?? "533103", deptCode: fields["dept"], deptName: fields["deptName"],
                    hallCode: fields["hall"], windowCode: fields["window"] ?? "W01",
                    defaultStaff: try fields["staff"].map { try Self.staff($0, line: number) },
                    defaultTaskCode: fields["task"], pf: Channel(rawValue: Int(fields["pf"] ?? "5") ?? 5),
                    reasonStep: try fields["reasons2"].map { text in
                        // reasons2=213,214 reasons1=113 reason-timeout=10s: the keypad reason step.
                        ReasonStep(dissatisfied: try ReasonCatalog.parse(text),
                                   veryDissatisfied: try fields["reasons1"].map { try ReasonCatalog.parse($0) } ?? [],
                                   timeoutSeconds: Int(try Self.duration(fields["reason-timeout"] ?? "10s", line: number).seconds))
                    })
            case "policy":
                for (key, value) in try Self.keyValues(words.dropFirst(), line: number) {
                    switch key {
                    case "debounce": policy.debounce = try Self.duration(value, line: number)
                    case "interval": policy.anonymousMinimumInterval = try Self.duration(value, line: number)
                    case "hold": policy.ratedCaseHold = try Self.duration(value, line: number)
                    case "identity": policy.identityBindWindow = try Self.duration(value, line: number)
                    case "workday-end":
                        guard let time = TimeOfDay(value) else { throw fail("bad time of day \(value)") }
                        policy.workdayEnd = time
                    default: throw fail("unknown policy key \(key)")
                    }
                }
            case "day":
                guard words.count == 2, let parsed = CivilDate(words[1]) else { throw fail("day needs yyyy-MM-dd") }
                day = parsed
            case "ledger":
                guard words.count == 3, let state = CaseLedgerState(rawValue: words[2]) else { throw fail("ledger <projectNo> <open|rated|defaulted>") }
                if steps.isEmpty { initialLedger[words[1]] = state } else { pendingLedger[words[1]] = state }
            case "=>":
                guard !steps.isEmpty else { throw fail("expectation before any input") }
                guard words.count >= 2 else { throw fail("empty expectation") }
                let expectation: Expectation
                switch words[1] {
                case "emit": expectation = Expectation(kind: .emit, fields: try Self.keyValues(words.dropFirst(2), line: number), line: number)
                case "open": expectation = Expectation(kind: .open, fields: try Self.keyValues(words.dropFirst(2), line: number), line: number)
                case "filtered":
                    guard words.count >= 3 else { throw fail("filtered needs a reason") }
                    expectation = Expectation(kind: .filtered(words[2]), fields: try Self.keyValues(words.dropFirst(3), line: number), line: number)
                case "log": expectation = Expectation(kind: .log(words.dropFirst(2).joined(separator: " ")), fields: [:], line: number)
                case "reason": expectation = Expectation(kind: .reason, fields: try Self.keyValues(words.dropFirst(2), line: number), line: number)
                case "prompt":
                    guard words.count == 3 else { throw fail("prompt needs its name") }
                    expectation = Expectation(kind: .prompt(words[2]), fields: [:], line: number)
                default: throw fail("unknown expectation \(words[1])")
                }
                steps[steps.count - 1].expectations.append(expectation)
            default:
                guard let day else { throw fail("a `day` line must come before the first input") }
                guard let wall = Self.time(words[0], on: day) else { throw fail("expected HH:mm:ss.SSS, got \(words[0])") }
                guard words.count >= 2 else { throw fail("missing input") }
                let input: Input
                switch words[1] {
                case "scan":
                    // The payload is the rest of the line after "scan ", verbatim.
                    guard let range = line.range(of: "scan ") else { throw fail("scan needs a payload") }
                    input = .scan(String(line[range.upperBound...]))
                case "press":
                    guard words.count == 4, let value = Int(words[2]), let rating = Rating(rawValue: value) else {
                        throw fail("press <1-5> <device>")
                    }
                    input = .press(rating, device: words[3])
                case "close":
                    guard words.count == 4, let close = ServiceClose(rawValue: words[3]) else {
                        throw fail("close <projectNo> <cancelled|countdown-ended>")
                    }
                    input = .close(projectNo: words[2], close)
                case "tick":
                    input = .tick
                default: throw fail("unknown input \(words[1])")
                }
                steps.append(Step(line: number, wall: wall, input: input, ledger: pendingLedger))
                pendingLedger = [:]
            }
        }
    }

    static func keyValues(_ words: ArraySlice<String>, line: Int) throws -> [String: String] {
        var result: [String: String] = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "=") else { throw ParseError(line: line, message: "expected key=value, got \(word)") }
            result[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return result
    }

    static func staff(_ text: String, line: Int) throws -> StaffMember {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let login = parts.first else { throw ParseError(line: line, message: "staff login:name") }
        return StaffMember(loginName: login, name: parts.count > 1 ? parts[1] : login)
    }

    static func duration(_ text: String, line: Int) throws -> Duration {
        if text.hasSuffix("ms"), let value = Int(text.dropLast(2)) { return .milliseconds(value) }
        if text.hasSuffix("s"), let value = Int(text.dropLast()) { return .seconds(value) }
        throw ParseError(line: line, message: "duration like 50ms or 3s, got \(text)")
    }

    /// `HH:mm:ss.SSS` (or `HH:mm:ss`) on `day`, Asia/Shanghai.
    static func time(_ text: String, on day: CivilDate) -> Date? {
        let parts = text.split(separator: ".", maxSplits: 1)
        let millis = parts.count == 2 ? Int(parts[1]) : 0
        guard let millis, let whole = ShanghaiTime.parse("\(day) \(parts[0])") else { return nil }
        return whole + Double(millis) / 1000
    }
}
