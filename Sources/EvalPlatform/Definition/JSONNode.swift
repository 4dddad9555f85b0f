/// A parsed JSON value that remembers where it was: the line (for
/// `--check-config` messages naming file, key and line) and its byte range
/// (so platform-sim can verify a signature over the records exactly as they
/// were sent, not as re-serialised). Objects keep their key order: a body
/// template is written in the order the definition gives.
public struct JSONNode: Sendable {
    public enum Kind: Sendable {
        case object([Member])
        case array([JSONNode])
        case string(String)
        /// The number's text as written (integers stay exact).
        case number(String)
        case bool(Bool)
        case null
    }

    public struct Member: Sendable {
        public var key: String
        public var line: Int
        public var value: JSONNode
    }

    public var kind: Kind
    public var line: Int
    public var range: Range<Int>

    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// `a.b.c` through nested objects.
    public func at(path: String) -> JSONNode? {
        var node: JSONNode? = self
        for part in path.split(separator: ".") { node = node?[String(part)] }
        return node
    }

    public var string: String? { if case .string(let s) = kind { s } else { nil } }

    /// Strings, numbers and booleans as text (a platform's codes may be either).
    public var text: String? {
        switch kind {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    public var kindName: String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

public struct JSONSyntaxError: Error, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

/// A strict RFC 8259 parser over bytes (no comments, no trailing commas).
public struct JSONNodeParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var depth = 0

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONNodeParser(bytes: bytes)
        parser.skipSpace()
        let node = try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.fail("text after the JSON value") }
        return node
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(line: line, message: message) }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A: line += 1; index += 1
            case 0x20, 0x09, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONNode {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let start = index, startLine = line
        func node(_ kind: JSONNode.Kind) -> JSONNode { JSONNode(kind: kind, line: startLine, range: start..<index) }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            depth += 1
            guard depth < 64 else { throw fail("nested too deep") }
            defer { depth -= 1 }
            index += 1
            var members: [JSONNode.Member] = []
            skipSpace()
            if peek(UInt8(ascii: "}")) { index += 1; return node(.object(members)) }
            while true {
                skipSpace()
                let keyLine = line
                guard peek(UInt8(ascii: "\"")) else { throw fail("expected a quoted key") }
                let key = try string()
                if members.contains(where: { $0.key == key }) { throw fail("key \"\(key)\" appears twice") }
                skipSpace()
                guard peek(UInt8(ascii: ":")) else { throw fail("expected ':' after key \"\(key)\"") }
                index += 1
                skipSpace()
                members.append(.init(key: key, line: keyLine, value: try value()))
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                if peek(UInt8(ascii: "}")) { index += 1; return node(.object(members)) }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            depth += 1
            guard depth < 64 else { throw fail("nested too deep") }
            defer { depth -= 1 }
            index += 1
            var items: [JSONNode] = []
            skipSpace()
            if peek(UInt8(ascii: "]")) { index += 1; return node(.array(items)) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                if peek(UInt8(ascii: "]")) { index += 1; return node(.array(items)) }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return node(.string(try string()))
        case UInt8(ascii: "t"): try literal("true"); return node(.bool(true))
        case UInt8(ascii: "f"): try literal("false"); return node(.bool(false))
        case UInt8(ascii: "n"): try literal("null"); return node(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard Double(text) != nil else { throw fail("bad number \(text)") }
            return node(.number(text))
        default:
            throw fail("unexpected character '\(String(decoding: [bytes[index]], as: UTF8.self))'")
        }
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { throw fail("expected \(word)") }
        index += w.count
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1  // opening quote
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("lone surrogate in a string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("bad surrogate pair in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("bad escape in a string")
                }
            case 0..<0x20: throw fail("control character in a string")
            default: out.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        index += 4
        return v
    }
}
