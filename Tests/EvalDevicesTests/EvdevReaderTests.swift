import EvalCore
@testable import EvalDevices
import EvalTesting
import Foundation
import Logging
import Testing

/// The evdev reader's read loop on a FIFO carrying raw `input_event` structs
/// (no grab: a FIFO is not an evdev node). Covers the path umockdev cannot:
/// the device vanishing mid-read (the writer goes away) must be `.detached`.
@Suite struct EvdevReaderTests {
    static func inputEvent(seconds: Int, micros: Int, type: UInt16, code: UInt16, value: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: Int64(seconds).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: Int64(micros).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: type.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: code.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        return bytes
    }

    @Test func readsKeysThenReportsTheDeviceGone() async throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let node = dir.path("event42")
        #expect(mkfifo(node, 0o600) == 0)
        var reader = EvdevReader(node: node, profile: BuiltInProfiles.digitKeypad, logger: Logger(label: "test"))
        reader.grab = false
        let configured = reader
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let task = Task {
            await configured.run { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            continuation.finish()
        }
        defer { timeout.cancel() }
        let writer = Task.detached {
            var bytes: [UInt8] = []
            // KEY_3 press, SYN, KEY_3 release, KEY_3 auto-repeat (ignored), KEY_1 press, then gone.
            for (code, value) in [(UInt16(4), Int32(1)), (4, 0), (4, 2), (2, 1)] {
                bytes += Self.inputEvent(seconds: 1, micros: 100_000, type: 1, code: code, value: value)
                bytes += Self.inputEvent(seconds: 1, micros: 100_000, type: 0, code: 0, value: 0)
            }
            let handle = try await openFIFOForWriting(node)
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        }
        var lines: [String] = []
        for await event in stream {
            lines.append(event.description)
        }
        try await writer.value
        await task.value
        let id = node
        #expect(lines == [
            "attached \(id) 0000:0000 event42",
            "press \(id) 3 基本满意",
            "press \(id) 5 非常满意",
            "detached \(id)",
        ])
    }

    /// Feeds raw (type, code, value) events through the reader on a FIFO and
    /// returns the event lines until the writer goes away.
    static func readThroughFIFO(profile: DeviceProfile, _ events: [(UInt16, UInt16, Int32)]) async throws -> (node: String, lines: [String]) {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let node = dir.path("event43")
        #expect(mkfifo(node, 0o600) == 0)
        var reader = EvdevReader(node: node, profile: profile, logger: Logger(label: "test"))
        reader.grab = false
        let configured = reader
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let task = Task {
            await configured.run { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            continuation.finish()
        }
        defer { timeout.cancel() }
        var bytes: [UInt8] = []
        for (index, (type, code, value)) in events.enumerated() {
            bytes += inputEvent(seconds: 1, micros: 100_000 + index * 1000, type: type, code: code, value: value)
        }
        let payload = bytes
        let writer = Task.detached {
            let handle = try await openFIFOForWriting(node)
            try handle.write(contentsOf: Data(payload))
            try handle.close()
        }
        var lines: [String] = []
        for await event in stream { lines.append(event.description) }
        try await writer.value
        await task.value
        return (node, lines)
    }

    @Test func kernelDroppedEventsDiscardThePartialScan() async throws {
        var scanner = BuiltInProfiles.keyboardWedgeScanner
        scanner.scan = ScanSettings(terminator: .enter, interKeyTimeoutMilliseconds: 5000, maxLength: 64)
        let key = { (code: UInt16, value: Int32) in (UInt16(1), code, value) }
        let (node, lines) = try await Self.readThroughFIFO(profile: scanner, [
            key(30, 1), key(30, 0), key(48, 1), key(48, 0),   // "ab"
            (0, 3, 0),                                          // SYN_DROPPED
            key(46, 1), key(46, 0), key(32, 1), key(32, 0),   // "cd"
            key(28, 1), key(28, 0),                             // Enter
        ])
        #expect(lines == [
            "attached \(node) 0000:0000 event43",
            "problem \(node) input events dropped by the kernel (SYN_DROPPED); partial input discarded",
            "scan \(node) c*",
            "detached \(node)",
        ])
    }

    @Test func problemsAreThrottledPerDevice() {
        let identity = DeviceIdentity(vendorId: 1, productId: 2, serial: "S", name: "flooder")
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        var mapper = EventMapper(identity: identity, profile: BuiltInProfiles.digitKeypad, clock: clock)
        var problems = 0
        for _ in 0..<1000 { problems += mapper.events(for: [.discarded("garbage")], at: mapper.stampNow()).count }
        #expect(problems == 5)
        clock.advance(by: 11)
        let next = mapper.events(for: [.discarded("garbage")], at: mapper.stampNow())
        guard case .problem(_, let message, _)? = next.first else {
            Issue.record("expected a problem after the window")
            return
        }
        #expect(message.contains("995 similar problems suppressed"))
        // Presses are never throttled.
        #expect(mapper.events(for: Array(repeating: .button(1), count: 50), at: mapper.stampNow()).count == 50)
    }
}

@Suite struct HidrawSplitTests {
    @Test func mergedReportsAreSplitOnlyWhenTheLengthIsFixedAndDivides() {
        #expect(HidrawReader.split([0, 1, 0, 0], length: 2) == [[0, 1], [0, 0]])
        #expect(HidrawReader.split([0, 1, 0], length: 2) == [[0, 1, 0]], "not a multiple: left whole (the decoder rejects it)")
        #expect(HidrawReader.split([0, 1, 0, 0], length: nil) == [[0, 1, 0, 0]])
        #expect(HidrawReader.split([0, 1], length: 2) == [[0, 1]])
    }
}
