import EvalCore
import EvalDevices
import EvalTesting
import Foundation
import Logging
import Testing

@Suite struct SimulatedKeypadTests {
    @Test func parsesPressesAsSatisfactionCodes() {
        #expect(SimulatedKeypad.parse("press 5") == .success(.press(.verySatisfied)))
        #expect(SimulatedKeypad.parse("press 1") == .success(.press(.veryDissatisfied)))
        #expect(SimulatedKeypad.parse("  press 3 ") == .success(.press(.basicallySatisfied)))
        #expect(SimulatedKeypad.parse("scan SP-001 x") == .success(.scan("SP-001 x")))
        #expect(SimulatedKeypad.parse("# comment") == .success(.nothing))
        #expect(SimulatedKeypad.parse("") == .success(.nothing))
    }

    @Test(arguments: ["press 6", "press 0", "press", "press five", "scan", "hello", "PRESS 5"])
    func rejectsBadLines(_ line: String) {
        guard case .failure = SimulatedKeypad.parse(line) else {
            Issue.record("\(line) should be rejected")
            return
        }
    }

    /// The real reader on a real FIFO: two writers one after the other (the FIFO
    /// is reopened when the first closes), a bad line in between.
    @Test func readsAFIFOAcrossWriters() async throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let fifo = dir.path("keypad")
        #expect(mkfifo(fifo, 0o600) == 0)
        let keypad = SimulatedKeypad(path: fifo, deviceId: "sim-W07", logger: Logger(label: "test"))
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream()
        let reader = Task {
            await keypad.run { if case .event(let event) = $0 { continuation.yield(event) } }
            continuation.finish()
        }
        let writer = Task.detached {
            for chunk in ["press 5\nscan CASE-1\n", "bogus line\npress 2\n"] {
                let handle = try await openFIFOForWriting(fifo)
                try handle.write(contentsOf: Data(chunk.utf8))
                try handle.close()
            }
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            continuation.finish()
        }
        defer { timeout.cancel() }
        var lines: [String] = []
        for await event in stream {
            switch event {
            case .press(_, let rating, _): lines.append("press \(rating.rawValue)")
            case .scan(_, let text, _): lines.append("scan \(text)")
            case .problem(_, let message, _): lines.append("problem \(message.prefix(8))")
            case .attached(let device): lines.append("attached \(device.deviceId)")
            case .detached: lines.append("detached")
            }
            if lines.count == 5 { break }
        }
        reader.cancel()
        try await writer.value
        await reader.value
        #expect(lines == ["attached sim-W07", "press 5", "scan CASE-1", "problem expected", "press 2"])
    }

    @Test func aLineMayCarryTheDevicesOwnTime() {
        #expect(SimulatedKeypad.splitDeviceTime("@1234.5 press 5") == (1234.5, "press 5"))
        #expect(SimulatedKeypad.splitDeviceTime("press 5") == (nil, "press 5"))
        #expect(SimulatedKeypad.splitDeviceTime("@x press 5") == (nil, "@x press 5"))
    }

    /// Issue 10, item 1: two presses the device made 95 ms apart, read by the
    /// real reader in one read (as after a stall), keep their 95 ms.
    @Test(.timeLimit(.minutes(1))) func pressesReadTogetherKeepTheDevicesTimes() async throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let fifo = dir.path("keypad")
        #expect(mkfifo(fifo, 0o600) == 0)
        let keypad = SimulatedKeypad(path: fifo, deviceId: "sim-W07", logger: Logger(label: "test"))
        let (stream, continuation) = AsyncStream<InputStamp>.makeStream()
        let reader = Task {
            await keypad.run { if case .event(.press(_, _, let at)) = $0 { continuation.yield(at) } }
            continuation.finish()
        }
        let first = BootInstant.now.seconds - 0.3
        let writer = Task.detached {
            let handle = try await openFIFOForWriting(fifo)
            try handle.write(contentsOf: Data(String(format: "@%.6f press 5\n@%.6f press 4\n", first, first + 0.095).utf8))
            try handle.close()
        }
        var stamps: [InputStamp] = []
        for await stamp in stream {
            stamps.append(stamp)
            if stamps.count == 2 { break }
        }
        reader.cancel()
        try await writer.value
        await reader.value
        try #require(stamps.count == 2)
        let apart = stamps[0].boot.duration(to: stamps[1].boot)
        #expect(apart > .milliseconds(94) && apart < .milliseconds(96), "\(apart)")
        #expect(abs(stamps[0].boot.seconds - first) < 0.001)
    }

    /// DeviceHub.events() with a simulated keypad as its only device (the demo's setup).
    @Test func hubDeliversTheSimulatedKeypadThroughItsStream() async throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let fifo = dir.path("window-07")
        #expect(mkfifo(fifo, 0o600) == 0)
        let hub = DeviceHub(configuration: .init(catalog: ProfileCatalog([]), simulatedKeypads: [SimulatedKeypadSource(path: fifo)],
                                                 useLibUSB: false), logger: Logger(label: "test"))
        let writer = Task.detached {
            let handle = try await openFIFOForWriting(fifo)
            try handle.write(contentsOf: Data("press 4\n".utf8))
            try handle.close()
        }
        let consumer = Task {
            var lines: [String] = []
            for await event in hub.events() {
                lines.append(event.description)
                if lines.count == 2 { break }
            }
            return lines
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            consumer.cancel()
        }
        defer { timeout.cancel() }
        try await writer.value
        #expect(await consumer.value == ["attached sim-window-07 0000:0000 simulated keypad", "press sim-window-07 4 满意"])
    }
}
