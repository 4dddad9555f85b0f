import EvalCore
@testable import EvalDevices
import Foundation
import Testing

/// The serial frame decoder and the profile's fields, from fixtures
/// (`Fixtures/serial/*.frames`, gpsd-style: bytes in, what they mean out):
/// `profile NAME`, then `in <hex>` / `text <ascii with \r \n>` chunks as
/// reads deliver them, `gap` for a silent line, and `out …` for each result
/// in order: `press <addr> <satisfaction>`, `no-key <addr>`, `unknown-key
/// <addr> <code>`, `unreadable`, `garbled <hex>`, `bad-checksum <hex>`.
struct SerialDecoderFixtureTests {
    static let files = ["push-xor8", "polled-crc16", "ascii-line"]

    @Test(arguments: files)
    func fixture(_ name: String) throws {
        let text = try String(contentsOfFile: TestPaths.fixture("serial/\(name).frames"), encoding: .utf8)
        var decoder: SerialFrameDecoder?
        var layout: SerialLayout?
        var got: [String] = []
        var expected: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let (word, rest) = line.firstIndex(of: " ").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } ?? (line, "")
            switch word {
            case "profile":
                let profile = try #require(ProfileCatalog.builtIn.profile(named: rest)?.serial)
                layout = profile
                decoder = SerialFrameDecoder(layout: profile)
            case "in":
                got += Self.describe(decoder!.feed(try #require(Hex.parseBytes(rest))), layout!)
            case "text":
                let bytes = Array(rest.replacingOccurrences(of: "\\r", with: "\r").replacingOccurrences(of: "\\n", with: "\n").utf8)
                got += Self.describe(decoder!.feed(bytes), layout!)
            case "gap":
                got += Self.describe(decoder!.gap(), layout!)
            case "out":
                expected.append(rest)
            default:
                Issue.record("\(name): unknown fixture line \(line)")
            }
        }
        #expect(got == expected, "\(name)")
    }

    static func describe(_ decoded: [SerialDecoded], _ layout: SerialLayout) -> [String] {
        decoded.map { item in
            switch item {
            case .garbled(let bytes, _): "garbled \(Hex.bytes(bytes))"
            case .badChecksum(let bytes): "bad-checksum \(Hex.bytes(bytes))"
            case .frame(let frame):
                switch layout.message(for: frame) {
                case .key(let address, _, let rating): "press \(address) \(rating.rawValue)"
                case .noKey(let address): "no-key \(address)"
                case .unknownKey(let address, let code): "unknown-key \(address) \(code)"
                case .unreadable: "unreadable"
                }
            }
        }
    }

    /// No input at all is ever a press unless its frame and checksum fit:
    /// every single-byte corruption of a good frame is caught (xor8 and CRC).
    @Test(arguments: ["serial-binary-push-xor8", "serial-polled-crc16"])
    func everyOneByteCorruptionIsRejected(_ name: String) throws {
        let layout = try #require(ProfileCatalog.builtIn.profile(named: name)?.serial)
        let good: [UInt8] = name.contains("xor8") ? [0xAA, 0x01, 0x4B, 0x02, 0x48] : [0x55, 0x02, 0x06, 0x05, 0x73, 0x8B]
        for index in 1..<good.count {
            for flip in [UInt8(0x01), 0x80, 0xFF] {
                var bad = good
                bad[index] ^= flip
                var decoder = SerialFrameDecoder(layout: layout)
                let out = decoder.feed(bad) + decoder.gap()
                #expect(!out.contains { if case .frame = $0 { true } else { false } }, "\(Hex.bytes(bad))")
            }
        }
    }
}

/// The framings the built-in examples do not use: a binary delimiter with a
/// header and a sum8 before the trailer, and `{len}` in a header-length frame.
struct SerialFramingTests {
    /// `02 <addr> <key> <sum8 of addr, key> 0D`
    static let layout = SerialLayout(
        framing: .delimiter(end: [0x0D], header: [0x02], maxLength: 8), checksum: SerialChecksum(kind: .sum8, from: 1, at: -2),
        address: SerialField(offset: 1), key: SerialField(offset: 2), ratings: [0x31: .verySatisfied, 0x35: .veryDissatisfied])

    @Test func aDelimitedFrameWithAChecksumBeforeItsTrailer() {
        var decoder = SerialFrameDecoder(layout: Self.layout)
        let good: [UInt8] = [0x02, 0x04, 0x31, 0x35, 0x0D]
        #expect(decoder.feed([0x99] + good) == [.garbled([0x99], reason: "noise"), .frame(good)])
        #expect(Self.layout.message(for: good) == .key(address: 4, code: 0x31, rating: .verySatisfied))
        // A wrong sum: its ends are certain, the whole frame is one bad frame.
        #expect(decoder.feed([0x02, 0x04, 0x35, 0x35, 0x0D]) == [.badChecksum([0x02, 0x04, 0x35, 0x35, 0x0D])])
        // No delimiter within maxLength: dropped, and the next frame still read.
        let out = decoder.feed([0x02, 1, 2, 3, 4, 5, 6, 7, 8] + good)
        #expect(out.last == .frame(good))
        #expect(out.contains { if case .garbled = $0 { true } else { false } })
        #expect(Self.layout.problems().isEmpty, "\(Self.layout.problems())")
    }

    @Test func lengthByteAndAsciiAddressInTemplates() throws {
        let template = try FrameTemplate("55 {addr} {len} {textlen} {text} {check}")
        let frame = try template.render(address: 9, text: [0x41, 0x42], checksum: SerialChecksum(kind: .crc16Modbus), lengthAdjust: 0)
        #expect(frame.count == 8 && frame[2] == 8 && frame[3] == 2)
        #expect(SerialChecksum(kind: .crc16Modbus).verify(frame))
        // The decoder of that framing reads it back.
        var decoder = SerialFrameDecoder(framing: .headerLength(header: [0x55], lengthOffset: 2, lengthAdjust: 0), checksum: SerialChecksum(kind: .crc16Modbus))
        #expect(decoder.feed(frame) == [.frame(frame)])
        #expect(try FrameTemplate("'#' {addr:a3} 0D").render(address: 7, checksum: SerialChecksum()) == Array("#007\r".utf8))
        #expect(throws: FrameTemplate.TemplateError.self) { try FrameTemplate("{addr:a2}").render(address: 123, checksum: SerialChecksum()) }
    }
}
