#if canImport(Glibc)
import Glibc
#endif

/// A frame evald sends (a poll, an invite, a thanks …), as profile text:
/// space-separated tokens, each a hex byte (`AA`), an ASCII literal
/// (`'PJ'`), or a field filled in when sent:
/// - `{addr}` the bus address as one byte; `{addr:a2}` as 2 ASCII digits (any width 1–4);
/// - `{text}` the output's text in the profile's encoding (GBK or UTF-8);
/// - `{textlen}` the length of that text in bytes, one byte;
/// - `{len}` the frame's own length, one byte, less the framing's `lengthAdjust`;
/// - `{check}` the profile's checksum over the bytes from `checksum.from` up to here.
public struct FrameTemplate: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Token: Sendable, Hashable {
        case bytes([UInt8])
        case address(asciiWidth: Int?)
        case text
        case textLength
        case length
        case check
    }

    public let source: String
    public let tokens: [Token]

    public init(_ source: String) throws(TemplateError) {
        self.source = source
        tokens = try Self.parse(source)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(source)
    }

    public var description: String { source }

    public struct TemplateError: Error, Sendable, Equatable {
        public let message: String
    }

    static func parse(_ source: String) throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(source)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard let first = rest.first else { break }
            if first == "'" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "'") else { throw TemplateError(message: "unclosed ' in frame \"\(source)\"") }
                let literal = body[body.startIndex..<close]
                guard literal.unicodeScalars.allSatisfy({ $0.isASCII }) else {
                    throw TemplateError(message: "'\(literal)' is not ASCII: put text in {text} and the output's \"text\"")
                }
                tokens.append(.bytes(Array(literal.utf8)))
                rest = body[body.index(after: close)...]
                continue
            }
            let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            let word = rest[rest.startIndex..<end]
            rest = rest[end...]
            switch word {
            case "{addr}": tokens.append(.address(asciiWidth: nil))
            case "{text}": tokens.append(.text)
            case "{textlen}": tokens.append(.textLength)
            case "{len}": tokens.append(.length)
            case "{check}": tokens.append(.check)
            default:
                if word.hasPrefix("{addr:a"), word.hasSuffix("}"), let width = Int(word.dropFirst(7).dropLast()), (1...4).contains(width) {
                    tokens.append(.address(asciiWidth: width))
                } else if word.count == 2, let byte = UInt8(word, radix: 16) {
                    tokens.append(.bytes([byte]))
                } else {
                    throw TemplateError(message: "\"\(word)\" in frame \"\(source)\" is not a hex byte, a 'literal', {addr}, {addr:a2}, {text}, {textlen}, {len} or {check}")
                }
            }
        }
        if tokens.isEmpty { throw TemplateError(message: "an empty frame") }
        return tokens
    }

    func problems(checksum: SerialChecksum) -> [String] {
        let checks = tokens.filter { $0 == .check }.count
        var found: [String] = []
        if checks > 1 { found.append("{check} appears more than once") }
        if checks == 1, checksum.kind == .none { found.append("{check} is used but the profile's checksum is none") }
        if checks == 0, checksum.kind != .none { found.append("no {check}: the device would refuse a frame without its checksum") }
        return found
    }

    /// The frame for `address` with `text` (already encoded) filled in.
    public func render(address: Int, text: [UInt8] = [], checksum: SerialChecksum, lengthAdjust: Int = 0) throws(TemplateError) -> [UInt8] {
        var out: [UInt8] = []
        var checkAt: Int?
        var lengthAt: Int?
        for token in tokens {
            switch token {
            case .bytes(let bytes): out += bytes
            case .address(nil):
                guard (0...255).contains(address) else { throw TemplateError(message: "address \(address) does not fit one byte") }
                out.append(UInt8(address))
            case .address(let width?):
                let digits = String(address)
                guard address >= 0, digits.count <= width else { throw TemplateError(message: "address \(address) does not fit \(width) digits") }
                out += Array(String(repeating: "0", count: width - digits.count).utf8) + Array(digits.utf8)
            case .text: out += text
            case .textLength:
                guard text.count <= 255 else { throw TemplateError(message: "text of \(text.count) bytes does not fit a length byte") }
                out.append(UInt8(text.count))
            case .length:
                lengthAt = out.count
                out.append(0)
            case .check:
                checkAt = out.count
                out += [UInt8](repeating: 0, count: checksum.kind.width)
            }
        }
        if let lengthAt {
            let value = out.count - lengthAdjust
            guard (0...255).contains(value) else { throw TemplateError(message: "frame length \(out.count) does not fit {len}") }
            out[lengthAt] = UInt8(value)
        }
        if let checkAt, checksum.kind != .none {
            guard checksum.from <= checkAt else { throw TemplateError(message: "checksum.from \(checksum.from) is after {check}") }
            let value = SerialChecksum.compute(checksum.kind, over: out[checksum.from..<checkAt])
            out.replaceSubrange(checkAt..<(checkAt + value.count), with: value)
        }
        return out
    }
}

/// Text for a device's display or voice in the encoding it expects, through
/// iconv (GBK, GB18030, UTF-8, …). Characters the encoding lacks are an error,
/// never silently dropped.
public struct TextEncoder: Sendable {
    public let encoding: String

    public init?(encoding: String) {
        self.encoding = encoding
        guard let probe = Self.open(encoding) else { return nil }
        iconv_close(probe)
    }

    private static func open(_ encoding: String) -> iconv_t? {
        let handle = iconv_open(encoding, "UTF-8")
        return handle == iconv_t(bitPattern: -1) ? nil : handle
    }

    public func encode(_ text: String) -> [UInt8]? {
        guard let handle = Self.open(encoding) else { return nil }
        defer { iconv_close(handle) }
        var input = Array(text.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 16)
        let outCount = output.count
        let inCount = input.count
        let result: (Int, Int)? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
                var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
                var inLeft = inCount
                var outLeft = outCount
                guard iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else { return nil }
                return (inLeft, outCount - outLeft)
            }
        }
        guard let (_, written) = result else { return nil }
        return output[0..<written].map { UInt8(bitPattern: $0) }
    }
}
