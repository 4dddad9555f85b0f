import EvalCore

/// `evalctl devices learn` on a serial keypad: five prompted presses, each
/// one burst of bytes (the line silent around it), become a draft serial
/// layout. Pure. It finds the framing (a common end: an ASCII line or a
/// delimiter; else one length and a constant first byte as header), the
/// first byte in which all five presses differ (the key: ASCII digits or a
/// binary code), and the checksum that fits all five (xor8, sum8,
/// CRC-16/MODBUS over each start up to each position). The bus address is
/// left for the technician (one keypad cannot show which byte it is).
public enum SerialProfileDrafter {
    public static func draft(presses: [[UInt8]], line: LineSettings = LineSettings()) -> Result<SerialLayout, LearnError> {
        guard presses.count == 5, presses.allSatisfy({ !$0.isEmpty }) else { return .failure(LearnError("five presses needed")) }
        let framing: SerialFraming
        var bodies = presses
        if presses.allSatisfy({ $0.last == 0x0A }) {
            bodies = presses.map { Array($0.dropLast($0.dropLast().last == 0x0D ? 2 : 1)) }
            if bodies.allSatisfy({ $0.allSatisfy { (0x20...0x7E).contains($0) } }) {
                framing = .line(maxLength: 64)
            } else {
                bodies = presses
                framing = .delimiter(end: presses[0].suffix(presses[0].dropLast().last == 0x0D ? 2 : 1), header: commonHeader(presses), maxLength: 64)
            }
        } else if Set(presses.map { $0.last }).count == 1, Set(presses.map(\.count)).count > 1 {
            framing = .delimiter(end: [presses[0].last!], header: commonHeader(presses), maxLength: 64)
        } else if Set(presses.map(\.count)).count == 1 {
            framing = .fixed(length: presses[0].count, header: commonHeader(presses))
        } else {
            return .failure(LearnError("the presses differ in length and end differently ("
                + presses.map(Hex.bytes).joined(separator: ", ") + "): perhaps header + length framing; write that profile by hand (docs/devices.md)"))
        }
        let shortest = bodies.map(\.count).min() ?? 0
        guard let offset = (0..<shortest).first(where: { index in Set(bodies.map { $0[index] }).count == 5 }) else {
            return .failure(LearnError("no byte tells the five presses apart: " + presses.map(Hex.bytes).joined(separator: ", ")))
        }
        let ascii = bodies.allSatisfy { (0x30...0x39).contains($0[offset]) }
        let key = SerialField(offset: offset, ascii: ascii)
        var ratings: [Int: Rating] = [:]
        for (index, body) in bodies.enumerated() {
            ratings[key.read(body) ?? Int(body[offset])] = ProfileLearner.order[index]
        }
        var checksum = SerialChecksum()
        if case .line = framing {} else {
            checksum = fittingChecksum(presses, after: offset) ?? SerialChecksum()
        }
        return .success(SerialLayout(line: line, framing: framing, checksum: checksum, key: key, ratings: ratings))
    }

    /// The first byte, when all presses start with the same one (a resynchronisation point).
    static func commonHeader(_ presses: [[UInt8]]) -> [UInt8] {
        let first = Set(presses.map { $0.first })
        guard first.count == 1, let byte = first.first ?? nil else { return [] }
        return [byte]
    }

    /// A checksum every press carries, placed after the key.
    static func fittingChecksum(_ presses: [[UInt8]], after keyOffset: Int) -> SerialChecksum? {
        let shortest = presses.map(\.count).min() ?? 0
        for kind in [SerialChecksum.Kind.crc16Modbus, .xor8, .sum8] {
            for at in stride(from: -kind.width, through: -kind.width - 1, by: -1) {
                for from in 0...min(3, max(0, keyOffset)) {
                    let candidate = SerialChecksum(kind: kind, from: from, at: at)
                    guard shortest + at > keyOffset else { continue }
                    if presses.allSatisfy(candidate.verify) { return candidate }
                }
            }
        }
        return nil
    }
}
