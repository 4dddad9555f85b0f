@testable import EvalDevices
import Foundation

/// Text fixtures for the pure decoders (`Fixtures/decoders/*.keys|*.reports`).
///
/// Directives (one per line, `#` comments):
///   decoder scanner terminator=enter|tab|none timeout=<ms> max=<n>
///   decoder keypad profile=<built-in profile name> [modifiers=count]
///   layout <ReportLayout JSON>
///   step <seconds>            time between generated key events
///   key <NAME> down|up|repeat one key event (NAME: A, 1, ENTER, F5, KP1, LEFTSHIFT …)
///   code <n> down|up|repeat   a key event by raw code
///   type <text> / typeln <text>  press+release per character (with Shift when needed), typeln adds Enter
///   gap <seconds>             silence
///   flush                     end of input: a scan waiting on its timeout ends
///   report <hex bytes>        one report
///   repeat <n> <directive>    the directive n times
///   expect text <exact text> | expect button <n> | expect discarded <substring> | expect nothing
///   expect-repeat <n> text <exact text>
struct DecoderFixture {
    enum Expectation: Equatable {
        case text(String)
        case button(Int)
        case discarded(substring: String)
    }

    var outputs: [DecodedInput] = []
    var expectations: [Expectation] = []

    static func run(path: String) throws -> DecoderFixture {
        var fixture = DecoderFixture()
        var keystrokes: KeystrokeDecoder?
        var keypad: KeypadKeyDecoder?
        var reports: ReportDecoder?
        var time = 0.0
        var step = 0.004

        func feed(_ code: UInt16, _ action: KeyEvent.Action) {
            let event = KeyEvent(code: code, action: action, time: time)
            if keystrokes != nil { fixture.outputs += keystrokes!.feed(event) }
            if keypad != nil { fixture.outputs += keypad!.feed(event) }
            time += step
        }

        func type(_ text: String) throws {
            for char in text {
                guard let (code, shifted) = KeyNames.reverse[char] else { throw FixtureError("cannot type \(char)") }
                if shifted { feed(KeyCode.leftShift, .press) }
                feed(code, .press)
                feed(code, .release)
                if shifted { feed(KeyCode.leftShift, .release) }
            }
        }

        func apply(_ line: Substring) throws {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let rest = parts.count > 1 ? parts[1] : ""
            let words = rest.split(separator: " ").map(String.init)
            switch parts[0] {
            case "decoder":
                let options = Dictionary(uniqueKeysWithValues: words.dropFirst().compactMap { word -> (String, String)? in
                    let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
                    return kv.count == 2 ? (kv[0], kv[1]) : nil
                })
                if words.first == "scanner" {
                    keystrokes = KeystrokeDecoder(settings: ScanSettings(
                        terminator: ScanSettings.Terminator(rawValue: options["terminator"] ?? "enter") ?? .enter,
                        interKeyTimeoutMilliseconds: Int(options["timeout"] ?? "100") ?? 100,
                        maxLength: Int(options["max"] ?? "512") ?? 512))
                } else {
                    guard let profile = ProfileCatalog.builtIn.profile(named: options["profile"] ?? "") else { throw FixtureError("no profile in \(line)") }
                    keypad = KeypadKeyDecoder(keys: profile.keys ?? [], ignoreModifiedKeys: options["modifiers"] != "count")
                }
            case "layout":
                reports = ReportDecoder(layout: try JSONDecoder().decode(ReportLayout.self, from: Data(rest.utf8)))
            case "step":
                step = Double(rest) ?? step
            case "gap":
                time += Double(rest) ?? 0
            case "key", "code":
                let code: UInt16? = parts[0] == "key" ? KeyNames.codes[words[0]] : UInt16(words[0])
                guard let code, words.count == 2 else { throw FixtureError("bad key line: \(line)") }
                let action: KeyEvent.Action
                switch words[1] {
                case "down": action = .press
                case "up": action = .release
                default: action = .autoRepeat
                }
                feed(code, action)
            case "type":
                try type(rest)
            case "typeln":
                try type(rest)
                feed(KeyCode.enter, .press)
                feed(KeyCode.enter, .release)
            case "flush":
                if keystrokes != nil { fixture.outputs += keystrokes!.flush(at: time + 3600) }
            case "report":
                guard let bytes = Hex.parseBytes(rest) else { throw FixtureError("bad hex: \(line)") }
                fixture.outputs += reports!.feed(bytes)
            case "repeat":
                let inner = rest.split(separator: " ", maxSplits: 1)
                for _ in 0..<(Int(inner[0]) ?? 0) { try apply(inner[1]) }
            case "expect", "expect-repeat":
                var count = 1
                var body = rest
                if parts[0] == "expect-repeat" {
                    let inner = rest.split(separator: " ", maxSplits: 1).map(String.init)
                    count = Int(inner[0]) ?? 1
                    body = inner[1]
                }
                let kind = body.split(separator: " ", maxSplits: 1).map(String.init)
                let value = kind.count > 1 ? kind[1] : ""
                let expectation: Expectation?
                switch kind[0] {
                case "text": expectation = .text(value)
                case "button": expectation = .button(Int(value) ?? -1)
                case "discarded": expectation = .discarded(substring: value)
                case "nothing": expectation = nil
                default: throw FixtureError("bad expectation: \(line)")
                }
                if let expectation { fixture.expectations += Array(repeating: expectation, count: count) }
            default:
                throw FixtureError("unknown directive: \(line)")
            }
        }

        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            try apply(line)
        }
        return fixture
    }

    /// Whether output i satisfies expectation i, for every i, with equal counts.
    var mismatches: [String] {
        var found: [String] = []
        if outputs.count != expectations.count {
            found.append("expected \(expectations.count) outputs, got \(outputs.count): \(outputs.prefix(12))")
        }
        for (index, (output, expected)) in zip(outputs, expectations).enumerated() {
            let ok = switch (output, expected) {
            case (.text(let a), .text(let b)): a == b
            case (.button(let a), .button(let b)): a == b
            case (.discarded(let reason), .discarded(let part)): reason.contains(part)
            default: false
            }
            if !ok { found.append("#\(index): expected \(expected), got \(output)") }
        }
        return found
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum KeyNames {
    static let codes: [String: UInt16] = {
        var map: [String: UInt16] = [
            "ESC": 1, "LEFTALT": 56, "RIGHTCTRL": 97, "MINUS": 12, "EQUAL": 13, "BACKSPACE": 14, "TAB": 15, "ENTER": 28, "LEFTCTRL": 29,
            "LEFTSHIFT": 42, "RIGHTSHIFT": 54, "SPACE": 57, "CAPSLOCK": 58, "NUMLOCK": 69,
            "KP7": 71, "KP8": 72, "KP9": 73, "KP4": 75, "KP5": 76, "KP6": 77, "KP1": 79, "KP2": 80, "KP3": 81,
            "KP0": 82, "KPDOT": 83, "KPENTER": 96, "F11": 87, "F12": 88,
        ]
        for (index, name) in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"].enumerated() { map[name] = UInt16(2 + index) }
        for (index, name) in (1...10).map({ "F\($0)" }).enumerated() { map[name] = UInt16(59 + index) }
        for (code, pair) in KeyCode.usLayout where pair.0.isLetter { map[pair.0.uppercased()] = code }
        return map
    }()

    /// Character → (code, needs Shift), main block only (not the numpad).
    static let reverse: [Character: (UInt16, Bool)] = {
        var map: [Character: (UInt16, Bool)] = [:]
        for (code, pair) in KeyCode.usLayout where code < 58 && code != 55 {
            map[pair.0] = (code, false)
            if map[pair.1] == nil { map[pair.1] = (code, true) }
        }
        return map
    }()
}
