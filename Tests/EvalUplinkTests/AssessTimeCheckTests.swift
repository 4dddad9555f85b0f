import EvalCore
import EvalUplink
import Foundation
import Testing

/// The verdict on a claimed record's time, and the judgement that dates an
/// input (issue 10, item 2): fixtures over `ClockTrust` states.
@Suite struct AssessTimeCheckTests {
    static let boot = "boot-1"
    static let now = Samples.instant  // 2026-03-02 09:30:15 Shanghai, 1000 s after boot

    /// A judgement that trusted the clock at `now` (boottime 1000), then saw what `then` says.
    static func trust(_ then: ((inout ClockTrust) -> Void)? = nil) -> ClockTrust {
        var trust = ClockTrust(bootID: boot)
        trust.observe(ClockSample(wall: now, boot: 1000, kernelUnsynchronized: false))
        then?(&trust)
        return trust
    }

    static func stamped(wall: Date, boot: TimeInterval, trusted: Bool, bootID: String = boot) -> Evaluation {
        var evaluation = Samples.evaluation(at: wall)
        evaluation.recordedTime = RecordedTime(bootID: bootID, boot: boot, trusted: trusted)
        return evaluation
    }

    @Test func aTrustedTimeIsSentAsItIs() {
        let evaluation = Self.stamped(wall: Self.now, boot: 1000, trusted: true)
        #expect(AssessTimeCheck.verdict(for: evaluation, clock: Self.trust()) == .send)
    }

    @Test func anUntrustedTimeOfThisBootIsReconstructedFromTheAnchor() {
        // Stamped 300 s before the anchor by a clock that read 2000-01-01.
        let evaluation = Self.stamped(wall: Date(timeIntervalSince1970: 946_713_600), boot: 700, trusted: false)
        guard case .redate(let redated) = AssessTimeCheck.verdict(for: evaluation, clock: Self.trust()) else {
            Issue.record("expected a re-dated copy")
            return
        }
        #expect(redated.assessedAt == Self.now - 300)
        #expect(redated.assessTime == "2026-03-02 09:25:15")
        #expect(redated.recordedTime?.trusted == true)
        #expect(redated.evaluationId == evaluation.evaluationId)
    }

    @Test func anAnchorSurvivesAJumpAndThePlatformsClockIsOne() {
        // After +2 h the clock is untrusted, but the pre-jump anchor still dates boottime.
        let jumped = Self.trust { $0.observe(ClockSample(wall: Self.now + 7260, boot: 1060, kernelUnsynchronized: false)) }
        #expect(!jumped.state.isTrusted)
        let afterJump = Self.stamped(wall: Self.now + 7270, boot: 1070, trusted: false)
        #expect(AssessTimeCheck.verdict(for: afterJump, clock: jumped) == .redate(Self.redated(afterJump, to: Self.now + 70)))
        // A clock in 2000 with no NTP: the platform's Date is the anchor.
        var wrong = ClockTrust(bootID: Self.boot)
        wrong.observe(ClockSample(wall: Date(timeIntervalSince1970: 946_713_600), boot: 50, kernelUnsynchronized: true))
        wrong.platformDate(Self.now, at: ClockSample(wall: Date(timeIntervalSince1970: 946_713_610), boot: 60, kernelUnsynchronized: true))
        let early = Self.stamped(wall: Date(timeIntervalSince1970: 946_713_605), boot: 55, trusted: false)
        #expect(AssessTimeCheck.verdict(for: early, clock: wrong) == .redate(Self.redated(early, to: Self.now - 5)))
    }

    @Test func withNoAnchorYetThisBootWaitsForThePlatformsClock() {
        var none = ClockTrust(bootID: Self.boot)
        none.observe(ClockSample(wall: Self.now, boot: 1000, kernelUnsynchronized: true))
        let evaluation = Self.stamped(wall: Self.now, boot: 990, trusted: false)
        #expect(AssessTimeCheck.verdict(for: evaluation, clock: none) == .waitForClock)
    }

    @Test func anEarlierBootThatNeverHadATrustedClockIsHeldUnlessConfiguredOtherwise() {
        let earlier = Self.stamped(wall: Self.now - 86_400, boot: 500, trusted: false, bootID: "boot-0")
        #expect(AssessTimeCheck.verdict(for: earlier, clock: Self.trust()) == .hold(reason: AssessTimeCheck.earlierBoot))
        #expect(AssessTimeCheck.verdict(for: earlier, clock: Self.trust(), uncertain: .send) == .send)
        // Sent as stamped only if that stamp is not known to be wrong.
        let in2000 = Self.stamped(wall: Date(timeIntervalSince1970: 946_713_600), boot: 500, trusted: false, bootID: "boot-0")
        #expect(AssessTimeCheck.verdict(for: in2000, clock: Self.trust(), uncertain: .send) == .hold(reason: AssessTimeCheck.beforeBuildDate))
    }

    @Test func aRecordWithoutItsBootIsCheckedAgainstTheBuildDateOnly() {
        #expect(AssessTimeCheck.verdict(for: Samples.evaluation(at: Self.now), clock: Self.trust()) == .send)
        let old = Samples.evaluation(at: Date(timeIntervalSince1970: 946_713_600))
        #expect(AssessTimeCheck.verdict(for: old, clock: Self.trust()) == .hold(reason: AssessTimeCheck.beforeBuildDate))
    }

    @Test func theWatchDatesInputsWithTheBestTimeItHas() {
        final class Clocks: @unchecked Sendable {
            let lock = NSLock()
            var sample = ClockSample(wall: Date(timeIntervalSince1970: 946_713_600), boot: 50, kernelUnsynchronized: true)
        }
        let clocks = Clocks()
        let watch = ClockWatch(bootID: Self.boot) { clocks.lock.withLock { clocks.sample } }
        let stamp = InputStamp(wall: Date(timeIntervalSince1970: 946_713_600), boot: BootInstant(seconds: 50))
        // No evidence: the wall reading, marked for re-dating.
        let first = watch.date(stamp)
        #expect(first.wall == stamp.wall && first.recorded == RecordedTime(bootID: Self.boot, boot: 50, trusted: false))
        #expect(watch.trustedNow() == nil)
        // The platform says it is 2026: later inputs are dated from its clock.
        watch.platformAnswered(date: Self.now)
        let later = InputStamp(wall: Date(timeIntervalSince1970: 946_713_620), boot: BootInstant(seconds: 70))
        let second = watch.date(later)
        #expect(second.wall == Self.now + 20 && second.recorded.trusted)
        #expect(watch.trustedNow() == Self.now)
        // NTP steps the clock (a jump: the anchor still dates inputs), then reports it synchronised.
        clocks.lock.withLock { clocks.sample = ClockSample(wall: Self.now + 30, boot: 80, kernelUnsynchronized: false) }
        let third = watch.date(InputStamp(wall: Self.now + 30, boot: BootInstant(seconds: 80)))
        #expect(third.wall == Self.now + 30 && third.recorded.trusted)
        #expect(watch.last.state == "jumped")
        clocks.lock.withLock { clocks.sample = ClockSample(wall: Self.now + 31, boot: 81, kernelUnsynchronized: false) }
        let fourth = watch.date(InputStamp(wall: Self.now + 31, boot: BootInstant(seconds: 81)))
        #expect(fourth.wall == Self.now + 31 && fourth.recorded.trusted)
        #expect(watch.last.state == "kernel-synchronized")
    }

    static func redated(_ evaluation: Evaluation, to date: Date) -> Evaluation {
        var copy = evaluation
        copy.assessedAt = date
        copy.recordedTime?.trusted = true
        return copy
    }
}
