import EvalCore
@testable import EvalDevices
import EvalTesting
import Foundation
import Logging
import Testing

/// Learn mode for serial keypads: five prompted presses become a draft
/// profile (framing, key position, the checksum that fits), from pure
/// bytes and from a pty read the way `evalctl devices learn` reads it.
struct SerialLearnTests {
    static func xorFrame(_ key: UInt8) -> [UInt8] {
        let body: [UInt8] = [0xAA, 0x01, 0x4B, key]
        return body + [body.dropFirst().reduce(0, ^)]
    }

    @Test func aBinaryPushKeypadIsDraftedWithItsXorChecksum() throws {
        let presses = (1...5).map { Self.xorFrame(UInt8(0x10 + $0)) }
        let layout = try SerialProfileDrafter.draft(presses: presses).get()
        #expect(layout.framing == .fixed(length: 5, header: [0xAA]))
        #expect(layout.key == SerialField(offset: 3))
        #expect(layout.checksum == SerialChecksum(kind: .xor8, from: 1, at: -1))
        #expect(layout.ratings[0x11] == .verySatisfied && layout.ratings[0x15] == .veryDissatisfied)
        // The draft decodes what it was drafted from, and refuses a corrupted frame.
        var decoder = SerialFrameDecoder(layout: layout)
        let decoded = decoder.feed(Self.xorFrame(0x12))
        #expect(decoded == [.frame(Self.xorFrame(0x12))])
        #expect(layout.message(for: Self.xorFrame(0x12)) == .key(address: 0, code: 0x12, rating: .satisfied))
        #expect(decoder.feed([0xAA, 0x01, 0x4B, 0x12, 0x00]) == [.badChecksum([0xAA, 0x01, 0x4B, 0x12, 0x00])])
    }

    @Test func anASCIILineKeypadIsDraftedAsLines() throws {
        let presses = (1...5).map { Array("#03,\($0)\r\n".utf8) }
        let layout = try SerialProfileDrafter.draft(presses: presses).get()
        #expect(layout.framing == .line(maxLength: 64))
        #expect(layout.key == SerialField(offset: 4, ascii: true))
        #expect(layout.checksum.kind == .none)
        #expect(layout.ratings[1] == .verySatisfied)
    }

    @Test func aCRCFrameIsFound() throws {
        let presses: [[UInt8]] = (1...5).map { key in
            let body: [UInt8] = [0x55, 0x01, 0x06, UInt8(key)]
            return body + SerialChecksum.compute(.crc16Modbus, over: body[...])
        }
        let layout = try SerialProfileDrafter.draft(presses: presses).get()
        #expect(layout.checksum == SerialChecksum(kind: .crc16Modbus, from: 0, at: -2))
    }

    @Test func framesOfVaryingLengthAreRefusedWithAReason() {
        let presses: [[UInt8]] = [[1, 2], [1, 2, 3], [4], [5, 6, 7, 8], [9, 9]]
        guard case .failure(let error) = SerialProfileDrafter.draft(presses: presses) else {
            Issue.record("drafted from nonsense")
            return
        }
        #expect(error.message.contains("differ in length"))
    }

    /// The learn path on a real pty: raw bursts (the line's silence cuts them)
    /// through `LearnTarget` into `ProfileLearner`, as `evalctl devices learn` runs it.
    @Test func aPtyKeypadIsLearntThroughTheLearnTarget() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-serial-learn")
        defer { dir.remove() }
        let device = try SerialDeviceEmulator(link: dir.path("ttyLEARN"))
        defer { device.unplug() }
        let inventory = DeviceInventory(serialPorts: [SerialPortSource(path: dir.path("ttyLEARN"), profile: "serial-binary-push-xor8")])
        let target = try inventory.learnTarget("tty-ttyLEARN", among: []).get()
        #expect(target.source == .reports(.serial))
        var learner = target.learner()
        let input = target.rawInput(logger: Logger(label: "learn-test"))
        let feeder = Task {
            try await Task.sleep(for: .milliseconds(200))
            for key in 1...5 {
                // One press, then a silence well past the line's 100 ms gap: one burst each.
                device.send(Self.xorFrame(UInt8(key)))
                try await Task.sleep(for: .milliseconds(400))
            }
        }
        defer { feeder.cancel() }
        var drafted: DeviceProfile?
        reading: for await item in input {
            guard case .raw(_, let raw) = item else { continue }
            for step in learner.feed(raw) {
                if case .finished(let profile) = step { drafted = profile; break reading }
                if case .failed(let reason) = step { Issue.record("\(reason)"); break reading }
            }
        }
        let profile = try #require(drafted)
        #expect(profile.backend == .serial && profile.problems().isEmpty, "\(profile.problems())")
        #expect(profile.serial?.checksum == SerialChecksum(kind: .xor8, from: 1, at: -1))
        #expect(profile.serial?.key == SerialField(offset: 3))
    }
}
