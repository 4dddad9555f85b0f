import EvalCore
@testable import EvalDevices
import EvalTesting
import Foundation
import Logging
import Synchronization
import Testing

/// The serial backend on a real pty (termios, TIOCEXCL, poll, hang-up),
/// the device side played by `SerialDeviceEmulator` from a script, read
/// through the device hub as the daemon reads it (`[devices] serial_ports`).
@Suite(.serialized) struct SerialBackendTests {
    /// A line of the hub's output, kept for the assertions.
    final class Recorder: Sendable {
        let events = Mutex<[DeviceEvent]>([])
        var all: [DeviceEvent] { events.withLock { $0 } }
        var presses: [String] {
            all.compactMap { if case .press(let device, let rating, _) = $0 { "\(device.deviceId) \(rating.rawValue)" } else { nil } }
        }
        var presence: [String] {
            all.compactMap {
                switch $0 {
                case .attached(let device): "attached \(device.deviceId)"
                case .detached(let device): "detached \(device.deviceId)"
                default: nil
                }
            }
        }
        var problems: [String] { all.compactMap { if case .problem(_, let message, _) = $0 { message } else { nil } } }
    }

    struct Line {
        let dir: TemporaryDirectory
        let device: SerialDeviceEmulator
        let recorder = Recorder()
        let prompts = PromptPorts()
        let counters = SerialLineCounters()
        let task: Task<Void, Never>
        var lineId: String { "tty-keypad" }

        init(profile: DeviceProfile, addresses: [Int]) throws {
            dir = try TemporaryDirectory(prefix: "evald-serial")
            device = try SerialDeviceEmulator(link: dir.path("keypad"))
            var configuration = DeviceHub.Configuration(
                catalog: ProfileCatalog(BuiltInProfiles.all + [profile]),
                bindings: addresses.map { DeviceBinding(deviceId: "tty-keypad@\($0)", windowCode: "W\($0)") },
                useLibUSB: false, prompts: prompts)
            configuration.serialPorts = [SerialPortSource(path: dir.path("keypad"), profile: profile.name, reopenMilliseconds: 20)]
            configuration.serialCounters = counters
            let hub = DeviceHub(configuration: configuration, logger: Logger(label: "serial-test"))
            let recorder = recorder
            task = Task {
                for await event in hub.events() { recorder.events.withLock { $0.append(event) } }
            }
        }

        func stop() async {
            task.cancel()
            await task.value
            device.unplug()
            dir.remove()
        }

        var count: SerialLineCounters.Counts { counters.snapshot()[lineId] ?? .init() }
    }

    static let push = BuiltInSerialProfiles.binaryPush

    /// Polled fast, so a test sees several rounds (100 ms rounds), with a timeout
    /// (400 ms) a loaded test machine's scheduling does not reach; offline after 2 misses.
    static var polled: DeviceProfile {
        var profile = BuiltInSerialProfiles.polledModbus
        profile.name = "test-polled"
        profile.serial!.poll!.intervalMilliseconds = 100
        profile.serial!.poll!.timeoutMilliseconds = 400
        profile.serial!.poll!.offlineAfter = 2
        return profile
    }

    @Test func aPushKeypadPressIsOnePressOfItsAddress() async throws {
        let line = try Line(profile: Self.push, addresses: [1])
        try await eventually("attached") { line.recorder.presence == ["attached tty-keypad@1"] }
        line.device.send([0xAA, 0x01, 0x4B, 0x02, 0x48])
        try await eventually("press") { line.recorder.presses == ["tty-keypad@1 4"] }
        #expect(line.count.frames == 1 && line.count.presses == 1)
        await line.stop()
    }

    @Test func aFrameSplitAcrossReadsIsJoined() async throws {
        // A long gap: this test's own sleeps, stretched by a loaded machine, must not look like a silent line.
        var patient = Self.push
        patient.name = "test-push-patient"
        patient.serial!.gapMilliseconds = 10_000
        let line = try Line(profile: patient, addresses: [1])
        try await eventually("attached") { !line.recorder.presence.isEmpty }
        try await line.device.run(script: """
            send AA 01
            wait 20
            send 4B
            wait 20
            send 02 48
            """)
        try await eventually("press") { line.recorder.presses == ["tty-keypad@1 4"] }
        await line.stop()
    }

    @Test func garbledFramesAndWrongChecksumsAreCountedNeverPressed() async throws {
        let line = try Line(profile: Self.push, addresses: [1, 3])
        try await eventually("attached") { line.recorder.presence.count == 2 }
        try await line.device.run(script: """
            send 00 FF 13 77            # noise
            send AA 01 4B 02 49         # wrong xor
            send AA 07 4B 01 4D         # address 7: no window is bound to it
            send AA 01 4B 09 43         # key 09: no rating
            send AA 03 4B 01 49         # the one good press
            """)
        try await eventually("the good press") { line.recorder.presses == ["tty-keypad@3 5"] }
        #expect(line.count.garbled == 1)
        #expect(line.count.badChecksum == 1)
        #expect(line.count.unboundAddress == 1)
        #expect(line.count.unknownKey == 1)
        #expect(line.recorder.problems.contains { $0.hasPrefix("wrong xor8 checksum: aa014b0249") })
        #expect(line.recorder.problems.contains { $0.contains("address 7, which no window is bound to") })
        await line.stop()
    }

    @Test func inviteAndThanksFramesReachTheDeviceByteForByte() async throws {
        let line = try Line(profile: Self.push, addresses: [1, 2])
        try await eventually("attached") { line.recorder.presence.count == 2 }
        #expect(line.prompts.declared(for: "tty-keypad@2") == [.invite, .thanks, .timeout, .reason], "the reason step prompts through the profile's reason frame")
        #expect(await line.prompts.send(.invite, to: "tty-keypad@2") == .success(.outputReport([0xAA, 0x02, 0x01, 0x00, 0x03])))
        try await line.device.expect([0xAA, 0x02, 0x01, 0x00, 0x03])
        _ = await line.prompts.send(.thanks, to: "tty-keypad@1")
        try await line.device.expect([0xAA, 0x01, 0x02, 0x00, 0x03])
        #expect(line.device.written == [0xAA, 0x02, 0x01, 0x00, 0x03, 0xAA, 0x01, 0x02, 0x00, 0x03])
        await line.stop()
    }

    @Test func unplugMidFrameThenReplug() async throws {
        let line = try Line(profile: Self.push, addresses: [1])
        try await eventually("attached") { line.recorder.presence == ["attached tty-keypad@1"] }
        line.device.send([0xAA, 0x01, 0x4B])
        try await eventually("half a frame read") { line.count.bytesRead == 3 }
        line.device.unplug()
        try await eventually("detached") { line.recorder.presence == ["attached tty-keypad@1", "detached tty-keypad@1"] }
        #expect(line.prompts.declared(for: "tty-keypad@1").isEmpty)
        #expect(line.count.garbled == 1)
        #expect(line.recorder.presses.isEmpty)
        try line.device.plug()
        try await eventually("attached again") { line.recorder.presence.count == 3 }
        line.device.send([0xAA, 0x01, 0x4B, 0x02, 0x48])
        try await eventually("press after replug") { line.recorder.presses == ["tty-keypad@1 4"] }
        await line.stop()
    }

    @Test func aPolledBusWithTwoAddressesServesTwoWindows() async throws {
        let line = try Line(profile: Self.polled, addresses: [1, 2])
        try await line.device.run(script: """
            on AA 01 50 50 4C reply 55 01 06 00 43 88
            on AA 02 50 50 BC reply 55 02 06 00 B3 88
            """)
        try await eventually("both online") { Set(line.recorder.presence) == ["attached tty-keypad@1", "attached tty-keypad@2"] }
        try await line.device.run(script: "on AA 02 50 50 BC once 55 02 06 05 73 8B")
        try await eventually("address 2's key 05") { line.recorder.presses == ["tty-keypad@2 5"] }
        try await line.device.run(script: "on AA 01 50 50 4C once 55 01 06 02 C2 49")
        try await eventually("address 1's key 02") { line.recorder.presses == ["tty-keypad@2 5", "tty-keypad@1 2"] }
        // A prompt on a polled bus goes between polls, byte for byte.
        _ = await line.prompts.send(.invite, to: "tty-keypad@1")
        try await line.device.expect([0xAA, 0x01, 0x01, 0x06, 0xC7, 0xEB, 0xC6, 0xC0, 0xBC, 0xDB, 0xC4, 0x76])
        await line.stop()
    }

    @Test func aKeypadThatNeverAnswersIsNeverOnlineAndOneThatStopsGoesOffline() async throws {
        let line = try Line(profile: Self.polled, addresses: [1, 2])
        try await line.device.run(script: """
            on AA 01 50 50 4C silent
            on AA 02 50 50 BC reply 55 02 06 00 B3 88
            """)
        try await eventually("address 2 online") { line.recorder.presence == ["attached tty-keypad@2"] }
        try await eventually("polls of 1 time out") { line.count.pollTimeouts >= 4 }
        #expect(!line.recorder.presence.contains("attached tty-keypad@1"))
        line.device.on([0xAA, 0x02, 0x50, 0x50, 0xBC], reply: nil)
        try await eventually("address 2 offline") { line.recorder.presence == ["attached tty-keypad@2", "detached tty-keypad@2"] }
        #expect(line.recorder.presses.isEmpty)
        await line.stop()
    }
}
