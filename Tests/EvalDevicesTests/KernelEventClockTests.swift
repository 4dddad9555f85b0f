import EvalCore
@testable import EvalDevices
import Foundation
import Testing

/// Issue 10, item 1: an evdev event is stamped when the key went down (the
/// kernel's time for it), not when the reader got round to it.
@Suite struct KernelEventClockTests {
    static let read = InputStamp(wall: Date(timeIntervalSince1970: 1_772_415_015), boot: BootInstant(seconds: 5000))

    @Test func aReadStallDoesNotMoveTheStamps() {
        // The reader stalled 190 ms, then read two presses the kernel stamped 95 ms apart.
        let first = KernelEventClock.stamp(eventTime: 4999.715, eventClockNow: 4999.905, now: Self.read)
        let oneLater = InputStamp(wall: Self.read.wall + 0.001, boot: Self.read.boot.advanced(by: .milliseconds(1)))
        let second = KernelEventClock.stamp(eventTime: 4999.810, eventClockNow: 4999.906, now: oneLater)
        #expect(first.boot.duration(to: second.boot) == .milliseconds(95))
        #expect(abs(second.wall.timeIntervalSince(first.wall) - 0.095) < 1e-6)
        #expect(Self.read.boot.seconds - first.boot.seconds > 0.189)
    }

    @Test func aTimeThatIsNoPlausibleAgeIsStampedAtTheRead() {
        // umockdev replays recordings with their own relative times (1.1 s after "boot");
        // a wall clock set between event and read gives a negative age.
        #expect(KernelEventClock.stamp(eventTime: 1.1, eventClockNow: 1_796_249_187, now: Self.read) == Self.read)
        #expect(KernelEventClock.stamp(eventTime: 5001, eventClockNow: 5000, now: Self.read) == Self.read)
    }

    @Test func theMapperStampsEveryEventOfABatchWithItsOwnTime() {
        var mapper = EventMapper(identity: DeviceIdentity(vendorId: 1, productId: 2, serial: "S", name: "k"),
                                 profile: BuiltInProfiles.digitKeypad, clock: SystemWallClock())
        let early = Self.read.earlier(by: .milliseconds(95))
        let events = mapper.events(for: [.button(1)], at: early) + mapper.events(for: [.button(2)], at: Self.read)
        let stamps = events.compactMap { event -> InputStamp? in
            if case .press(_, _, let at) = event { return at }
            return nil
        }
        #expect(stamps == [early, Self.read])
    }
}
