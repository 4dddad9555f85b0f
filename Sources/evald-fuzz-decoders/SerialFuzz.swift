import EvalCore
import EvalDevices

/// The serial frame decoder under arbitrary bytes: every built-in serial
/// profile, the input cut into arbitrary reads and silences. What must hold:
/// no crash, and no phantom press — every press comes from a frame that is
/// really in the input, byte for byte, and whose checksum fits.
enum SerialFuzz {
    /// The built-in examples, plus a binary delimiter framing (02 … sum8 0D) none of them uses.
    static let profiles = BuiltInSerialProfiles.all.compactMap(\.serial) + [
        SerialLayout(framing: .delimiter(end: [0x0D], header: [0x02], maxLength: 8), checksum: SerialChecksum(kind: .sum8, from: 1, at: -2),
                     address: SerialField(offset: 1), key: SerialField(offset: 2), ratings: [1: .verySatisfied, 2: .satisfied, 5: .veryDissatisfied]),
    ]

    /// body[0]: profile; body[1]: how the rest is cut into reads. Returns the presses seen.
    static func run(_ body: [UInt8]) -> Int {
        guard body.count >= 2 else { return 0 }
        let layout = profiles[Int(body[0]) % profiles.count]
        var cut = UInt64(body[1]) | 1
        let input = Array(body.dropFirst(2))
        var decoder = SerialFrameDecoder(layout: layout)
        var presses = 0
        var index = 0
        var outputs: [SerialDecoded] = []
        while index < input.count {
            cut = cut &* 6364136223846793005 &+ 1442695040888963407
            let size = Int(cut >> 59) + 1  // 1–32 bytes per read
            let chunk = Array(input[index..<min(input.count, index + size)])
            index += chunk.count
            outputs += decoder.feed(chunk)
            if cut & 0x700 == 0 { outputs += decoder.gap() }  // now and then the line falls silent
        }
        outputs += decoder.gap()
        for output in outputs {
            guard case .frame(let frame) = output else { continue }
            guard case .key = layout.message(for: frame) else { continue }
            presses += 1
            precondition(layout.checksum.verify(frame) || isLine(layout), "press from a frame whose checksum does not fit")
            precondition(contains(input, frame, line: isLine(layout)), "press from bytes that are not in the input")
        }
        return presses
    }

    static func isLine(_ layout: SerialLayout) -> Bool {
        if case .line = layout.framing { return true }
        return false
    }

    /// A line frame is its text without CR LF: it must be in the input followed by its end.
    static func contains(_ input: [UInt8], _ frame: [UInt8], line: Bool) -> Bool {
        guard input.count >= frame.count, !frame.isEmpty else { return false }
        for start in 0...(input.count - frame.count) where input[start..<(start + frame.count)].elementsEqual(frame) {
            if !line { return true }
            let after = start + frame.count
            if after < input.count, input[after] == 0x0A || input[after] == 0x0D { return true }
        }
        return false
    }

    /// `count` inputs from a seeded generator: plain noise, and noise with
    /// good, corrupted and cut frames of the profile mixed in (pure noise
    /// almost never holds a frame whose checksum fits).
    static func random(count: Int, seed: UInt64) -> (bytes: Int, presses: Int) {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var bytes = 0
        var presses = 0
        for _ in 0..<count {
            let pick = Int(next() % UInt64(profiles.count))
            var body: [UInt8] = [UInt8(pick), UInt8(truncatingIfNeeded: next())]
            let pieces = Int(next() % 6)
            for _ in 0...pieces {
                switch next() % 4 {
                case 0:
                    body += (0..<Int(next() % 24)).map { _ in UInt8(truncatingIfNeeded: next()) }
                default:
                    var frame = goodFrame(profiles[pick], address: Int(next() % 4), key: Int(next() % 7), next: next)
                    if next() % 3 == 0, !frame.isEmpty { frame[Int(next() % UInt64(frame.count))] ^= UInt8(truncatingIfNeeded: next() | 1) }
                    if next() % 5 == 0 { frame = Array(frame.prefix(Int(next() % UInt64(frame.count + 1)))) }
                    body += frame
                }
            }
            bytes += body.count
            presses += run(body)
        }
        return (bytes, presses)
    }

    /// A frame the profile's keypad would send (the three built-in shapes).
    static func goodFrame(_ layout: SerialLayout, address: Int, key: Int, next: () -> UInt64) -> [UInt8] {
        switch layout.framing {
        case .line:
            return Array("#0\(address),\(key)\r\n".utf8)
        case .delimiter:
            let body: [UInt8] = [0x02, UInt8(address), UInt8(key)]
            return body + SerialChecksum.compute(.sum8, over: body[1...]) + [0x0D]
        case .fixed:
            let body: [UInt8] = [0xAA, UInt8(address), 0x4B, UInt8(key)]
            return body + SerialChecksum.compute(layout.checksum.kind, over: body[layout.checksum.from...])
        default:
            let body: [UInt8] = [0x55, UInt8(address), 0x06, UInt8(key)]
            return body + SerialChecksum.compute(layout.checksum.kind, over: body[layout.checksum.from...])
        }
    }
}
