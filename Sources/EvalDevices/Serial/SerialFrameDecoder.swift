/// What the frame decoder makes of a serial byte stream.
public enum SerialDecoded: Sendable, Hashable {
    /// A whole frame whose checksum fits (an ASCII line without its CR LF).
    case frame([UInt8])
    /// Bytes that are no frame: noise, a frame cut short, an overlong run.
    case garbled([UInt8], reason: String)
    /// A frame whose check value does not fit its bytes.
    case badChecksum([UInt8])
}

/// Cuts a serial byte stream into frames per the profile's framing and
/// checksum. Pure: bytes in, frames out, in any chunks (a frame split across
/// reads is joined). Like gpsd's packet lexer it resynchronises on garbage
/// without losing the next good frame: a bad frame gives up one byte only,
/// and the search for the header starts again from the next.
///
/// Counting is honest: one bad frame is one `.badChecksum`, a run of noise
/// between two good frames one `.garbled`; neither is ever a press.
public struct SerialFrameDecoder: Sendable {
    public let framing: SerialFraming
    public let checksum: SerialChecksum
    private var buffer: [UInt8] = []
    /// Noise skipped since the last good frame, reported as one `.garbled`.
    private var dropped: [UInt8] = []
    /// Bytes still to skip that belong to a frame already reported bad.
    private var quiet = 0

    public init(framing: SerialFraming, checksum: SerialChecksum) {
        self.framing = framing
        self.checksum = checksum
    }

    public init(layout: SerialLayout) { self.init(framing: layout.framing, checksum: layout.checksum) }

    /// Bytes waiting for the rest of their frame.
    public var pending: Int { buffer.count }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SerialDecoded] {
        buffer.append(contentsOf: bytes)
        var out: [SerialDecoded] = []
        while step(&out) {}
        // Bounded memory whatever the device sends.
        if dropped.count >= max(64, framing.maxLength) { out += reportDropped("noise") }
        return out
    }

    /// The line was silent longer than the profile's gap (or the device went
    /// away): whatever is half received is no frame.
    public mutating func gap() -> [SerialDecoded] {
        dropped += buffer
        buffer.removeAll()
        quiet = 0
        return reportDropped("incomplete frame")
    }

    private mutating func reportDropped(_ reason: String) -> [SerialDecoded] {
        guard !dropped.isEmpty else { return [] }
        defer { dropped.removeAll() }
        return [.garbled(dropped, reason: reason)]
    }

    /// Gives up the first buffered byte (noise, or part of a frame reported bad).
    private mutating func skip(_ count: Int = 1) {
        for byte in buffer.prefix(count) {
            if quiet > 0 { quiet -= 1 } else { dropped.append(byte) }
        }
        buffer.removeFirst(min(count, buffer.count))
    }

    /// One step; false when more bytes are needed.
    private mutating func step(_ out: inout [SerialDecoded]) -> Bool {
        let header = framing.header
        if !header.isEmpty {
            guard syncHeader(header) else { return false }
        }
        switch framing {
        case .fixed(let length, _):
            guard buffer.count >= length else { return false }
            return candidate(Array(buffer[0..<length]), consumed: length, delimited: false, &out)
        case .headerLength(_, let lengthOffset, let lengthAdjust):
            guard buffer.count > lengthOffset else { return false }
            let total = Int(buffer[lengthOffset]) + lengthAdjust
            guard total > lengthOffset, total >= header.count + checksum.kind.width else {
                skip()
                return true
            }
            guard buffer.count >= total else { return false }
            return candidate(Array(buffer[0..<total]), consumed: total, delimited: false, &out)
        case .delimiter(let end, _, let maxLength):
            // Too long to be a frame: without a header the run is dropped
            // whole; with one, a byte at a time, so a frame that starts
            // inside the run is still found (its noise reported with it).
            guard let endIndex = find(end, from: header.count) else {
                if buffer.count >= maxLength {
                    if header.isEmpty {
                        skip(buffer.count)
                        out += reportDropped("no delimiter within \(maxLength) bytes")
                    } else {
                        skip()
                    }
                    return true
                }
                return false
            }
            let length = endIndex + end.count
            if length > maxLength {
                if header.isEmpty {
                    skip(length)
                    out += reportDropped("frame of \(length) bytes is longer than \(maxLength)")
                } else {
                    skip()
                }
                return true
            }
            return candidate(Array(buffer[0..<length]), consumed: length, delimited: true, &out)
        case .line(let maxLength):
            guard let lf = buffer.firstIndex(of: 0x0A) else {
                if buffer.count >= maxLength {
                    skip(buffer.count)
                    out += reportDropped("no line end within \(maxLength) bytes")
                    return true
                }
                return false
            }
            var text = Array(buffer[0..<lf])
            if text.last == 0x0D { text.removeLast() }
            if text.isEmpty {
                buffer.removeFirst(lf + 1)  // an empty line is no frame and no noise
                return true
            }
            guard text.count <= maxLength, text.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                skip(lf + 1)
                out += reportDropped("not a printable ASCII line")
                return true
            }
            out += reportDropped("noise")
            buffer.removeFirst(lf + 1)
            quiet = 0
            out.append(.frame(text))
            return true
        }
    }

    /// Drops bytes until the buffer starts with `header`; false when what is
    /// left may still become one (a header's first bytes at the end).
    private mutating func syncHeader(_ header: [UInt8]) -> Bool {
        while !buffer.isEmpty {
            let n = min(header.count, buffer.count)
            if buffer[0..<n].elementsEqual(header[0..<n]) { return buffer.count >= header.count }
            skip()
        }
        return false
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= start + needle.count else { return nil }
        for index in start...(buffer.count - needle.count) where buffer[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// A whole candidate frame: good, or bad with its checksum.
    private mutating func candidate(_ frame: [UInt8], consumed: Int, delimited: Bool, _ out: inout [SerialDecoded]) -> Bool {
        if checksum.verify(frame) {
            out += reportDropped("noise")
            buffer.removeFirst(consumed)
            quiet = 0
            out.append(.frame(frame))
            return true
        }
        if delimited {
            // Its ends are certain: the whole frame is one bad frame.
            out += reportDropped("noise")
            buffer.removeFirst(consumed)
            out.append(.badChecksum(frame))
        } else if !framing.header.isEmpty || (dropped.isEmpty && quiet == 0) {
            // It starts with the header, or the stream was in step: a frame
            // that went bad on the way. Its other bytes are searched for a
            // header, but not counted again.
            out += reportDropped("noise")
            out.append(.badChecksum(frame))
            buffer.removeFirst()
            quiet = consumed - 1
        } else {
            skip()
        }
        return true
    }
}
