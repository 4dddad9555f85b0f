@testable import EvalDevices
import EvalCore
import Testing

/// The learn verb's state machine, fed raw input directly (no device).
struct ProfileLearnerTests {
    static let identity = DeviceIdentity(vendorId: 0x1209, productId: 0xe7a9, serial: "X-1", portPath: "1-2", name: "Test")

    func run(_ learner: ProfileLearner, _ inputs: [RawInput]) -> [ProfileLearner.Step] {
        var learner = learner
        return inputs.flatMap { learner.feed($0) }
    }

    func report(_ hex: String) -> RawInput { .report(Hex.parseBytes(hex)!) }

    @Test func aReportIdByteAndAnIdleReportFirstAreRecognised() throws {
        let learner = ProfileLearner(identity: Self.identity, source: .reports(.libusb))
        // The keypad sends its idle state at open, then press/release pairs; 02 is held twice.
        let steps = run(learner, ["0100000000", "0100020000", "0100020000", "0100000000", "0100020000", "0100000000",
                                  "0100050000", "0100000000", "0100030000", "0100000000", "0100040000", "0100000000",
                                  "0100010000", "0100000000"].map(report))
        #expect(steps.contains(.ignored("report 0100020000 is button 1 already")))
        guard case .finished(let profile) = steps.last else { Issue.record("not finished: \(steps)"); return }
        #expect(profile.problems() == [])
        #expect(profile.backend == .libusb)
        #expect(profile.report == ReportLayout(length: 5, reportId: 1, offset: 2, values: [
            .init(value: 2, button: 1), .init(value: 5, button: 2), .init(value: 3, button: 3), .init(value: 4, button: 4), .init(value: 1, button: 5),
        ], idleValue: 0))
        #expect(profile.buttons == .buttonOneIsVerySatisfied)
    }

    @Test func pressesThatNoSingleByteTellsApartFail() {
        let learner = ProfileLearner(identity: Self.identity, source: .reports(.hidraw))
        // Each press changes a different byte: no one offset holds all five.
        let steps = run(learner, ["00100000", "00000000", "10000000", "00000000", "00001000", "00000000",
                                  "00000010", "00000000", "20000000", "00000000"].map(report))
        guard case .failed(let reason) = steps.last else { Issue.record("expected a failure: \(steps)"); return }
        #expect(reason.hasPrefix("no single byte tells the five presses apart"))
    }

    @Test func keysIgnoreReleasesRepeatsModifiersAndRepeatedButtons() {
        let learner = ProfileLearner(identity: Self.identity, source: .keys)
        let key = { (code: UInt16, action: KeyEvent.Action) in RawInput.key(KeyEvent(code: code, action: action, time: 0)) }
        let steps = run(learner, [key(2, .press), key(2, .autoRepeat), key(2, .release), key(2, .press), key(42, .press),
                                  key(3, .press), key(4, .press), key(5, .press), key(6, .press), key(7, .press)])
        #expect(steps.filter { if case .heard = $0 { true } else { false } }.count == 5)
        #expect(steps.contains(.ignored("key code=2 is button 1 already")))
        #expect(steps.contains(.ignored("key code=42 is a modifier, not a button")))
        guard case .finished(let profile) = steps.last else { Issue.record("not finished: \(steps)"); return }
        #expect(profile.keys == (2...6).map { KeyBinding(code: UInt16($0), button: $0 - 1) })
        #expect(run(learner, [key(2, .press)]).count == 2, "a heard press is followed by the next prompt")
    }
}
