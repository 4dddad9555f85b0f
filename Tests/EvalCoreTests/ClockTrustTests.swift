import EvalCore
import Foundation
import Testing

/// Transition fixtures for the clock-trust machine: each step is an
/// observation and the state it must lead to.
@Suite struct ClockTrustTests {
    enum Step {
        /// A sample: wall (seconds since 1970), boottime, kernel STA_UNSYNC (nil: adjtimex unavailable).
        case sample(wall: TimeInterval, boot: TimeInterval, unsync: Bool?)
        /// The platform's `Date` arriving at (wall, boot).
        case platform(date: TimeInterval, wall: TimeInterval, boot: TimeInterval)
    }

    static let y2000: TimeInterval = 946_713_600       // 2000-01-01 08:00 Shanghai
    static let real: TimeInterval = 1_772_415_015      // 2026-03-02 09:30:15 Shanghai

    static let fixtures: [(name: String, steps: [(Step, ClockTrust.State)])] = [
        ("good clock, kernel synchronised", [
            (.sample(wall: real, boot: 30, unsync: false), .trusted(.kernelSynchronized)),
            (.sample(wall: real + 10, boot: 40, unsync: false), .trusted(.kernelSynchronized)),
        ]),
        ("RTC lost: booted in 2000, platform answers, then NTP steps the clock", [
            (.sample(wall: y2000, boot: 5, unsync: true), .untrusted(.beforeBuildDate(Date(timeIntervalSince1970: y2000)))),
            (.platform(date: real, wall: y2000 + 10, boot: 15), .untrusted(.platformDisagrees(offset: real - y2000 - 10))),
            // The platform's word stands (it says how wrong we are) until the clock moves.
            (.sample(wall: y2000 + 20, boot: 25, unsync: true), .untrusted(.platformDisagrees(offset: real - y2000 - 10))),
            (.sample(wall: real + 20, boot: 35, unsync: true), .untrusted(.jumped(by: real - y2000 - 10))),
            (.sample(wall: real + 30, boot: 45, unsync: false), .trusted(.kernelSynchronized)),
        ]),
        ("unsynchronised until the platform agrees; a jump ends that trust", [
            (.sample(wall: real, boot: 100, unsync: true), .untrusted(.unsynchronized)),
            (.platform(date: real + 11, wall: real + 10, boot: 110), .trusted(.platformAgrees)),
            (.sample(wall: real + 20, boot: 120, unsync: true), .trusted(.platformAgrees)),
            (.sample(wall: real + 20 + 7200, boot: 130, unsync: true), .untrusted(.jumped(by: 7190))),
            (.sample(wall: real + 7230, boot: 140, unsync: true), .untrusted(.unsynchronized)),
        ]),
        ("no adjtimex: no evidence until the platform agrees; a platform far off is disagreement", [
            (.sample(wall: real, boot: 1, unsync: nil), .untrusted(.noEvidence)),
            (.platform(date: real + 3, wall: real + 2, boot: 3), .trusted(.platformAgrees)),
            (.sample(wall: real + 4, boot: 5, unsync: nil), .trusted(.platformAgrees)),
            (.platform(date: real + 600, wall: real + 6, boot: 7), .untrusted(.platformDisagrees(offset: 594))),
            (.sample(wall: real + 8, boot: 9, unsync: nil), .untrusted(.platformDisagrees(offset: 594))),
        ]),
        ("a jump backwards while synchronised is reported, then trust returns with the kernel", [
            (.sample(wall: real, boot: 50, unsync: false), .trusted(.kernelSynchronized)),
            (.sample(wall: real - 7190, boot: 60, unsync: false), .untrusted(.jumped(by: -7200))),
            (.sample(wall: real - 7180, boot: 70, unsync: false), .trusted(.kernelSynchronized)),
        ]),
    ]

    static func sample(_ wall: TimeInterval, _ boot: TimeInterval, _ unsync: Bool?) -> ClockSample {
        ClockSample(wall: Date(timeIntervalSince1970: wall), boot: boot, kernelUnsynchronized: unsync)
    }

    @Test(arguments: fixtures.indices)
    func transitions(_ index: Int) {
        let fixture = Self.fixtures[index]
        var trust = ClockTrust(bootID: "boot-a")
        for (number, (step, expected)) in fixture.steps.enumerated() {
            let state: ClockTrust.State
            switch step {
            case .sample(let wall, let boot, let unsync):
                state = trust.observe(Self.sample(wall, boot, unsync))
            case .platform(let date, let wall, let boot):
                state = trust.platformDate(Date(timeIntervalSince1970: date), at: Self.sample(wall, boot, nil))
            }
            #expect(state == expected, "\(fixture.name), step \(number + 1)")
        }
    }

    @Test func anEvaluationStampedIn2000IsReDatedFromThePlatformsAnswerInTheSameBootOnly() throws {
        var trust = ClockTrust(bootID: "boot-a")
        trust.observe(Self.sample(Self.y2000, 5, true))
        #expect(trust.wallTime(bootID: "boot-a", boot: 8) == nil)  // no anchor yet: time uncertain
        // Pressed at boottime 8 s (our wall said 2000); the platform's Date arrives at boottime 15 s.
        trust.platformDate(Date(timeIntervalSince1970: Self.real), at: Self.sample(Self.y2000 + 10, 15, nil))
        #expect(trust.wallTime(bootID: "boot-a", boot: 8) == Date(timeIntervalSince1970: Self.real - 7))
        #expect(trust.wallTime(bootID: "boot-b", boot: 8) == nil)  // another boot: boottime says nothing
    }

    @Test func anAnchorFromBeforeAJumpStillDatesInputsAfterIt() throws {
        var trust = ClockTrust(bootID: "boot-a")
        trust.observe(Self.sample(Self.real, 100, false))
        trust.observe(Self.sample(Self.real + 10 + 7200, 110, true))  // someone set the clock 2 h ahead
        #expect(trust.state == .untrusted(.jumped(by: 7200)))
        // A press at boottime 115 s happened 15 s after the trusted reading, whatever the wall says.
        #expect(trust.wallTime(bootID: "boot-a", boot: 115) == Date(timeIntervalSince1970: Self.real + 15))
    }

    @Test func reconstructionIsTrustedWallMinusElapsedBoottime() {
        let anchor = TimeAnchor(bootID: "b", boot: 1000, wall: Date(timeIntervalSince1970: Self.real))
        #expect(anchor.reconstruct(bootID: "b", boot: 400) == Date(timeIntervalSince1970: Self.real - 600))
        #expect(anchor.reconstruct(bootID: "b", boot: 1000.5) == Date(timeIntervalSince1970: Self.real + 0.5))
        #expect(anchor.reconstruct(bootID: "c", boot: 400) == nil)
    }
}
