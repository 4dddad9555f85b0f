import EvalCounterAPI
import EvalTesting
import Testing

/// Issue #24 item 5: when a local HTTP connection is closed for idling, as
/// the pure state machine `ConnectionGuardHandler` performs (no I/O here).
@Suite("ConnectionTimeouts: header and idle deadlines")
struct ConnectionTimeoutsTests {
    typealias Timeouts = ConnectionTimeouts<TestClock.Instant>
    let t0 = TestClock.Instant(offset: .zero)
    func at(_ seconds: Double) -> TestClock.Instant { t0.advanced(by: .milliseconds(Int(seconds * 1000))) }

    @Test func aConnectionThatSendsNoHeadIsClosedAtTheHeaderTimeout() {
        var timeouts = Timeouts(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        #expect(timeouts.accepted(at: t0) == .schedule(at(10)))
        #expect(timeouts.timerFired(at: at(10)) == .close)
    }

    @Test func noTimerRunsWhileAnAnswerIsProducedSoAnEventStreamStaysOpen() {
        var timeouts = Timeouts(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        _ = timeouts.accepted(at: t0)
        #expect(timeouts.requestHeadRead(at: at(1)) == .schedule(at(61)), "the body must follow within the idle timeout")
        #expect(timeouts.requestRead() == .cancel)
        // A timer scheduled before the request arrived fires late: it closes nothing.
        #expect(timeouts.timerFired(at: at(3600)) == .none)
        #expect(timeouts.answerWritten(at: at(4000)) == .schedule(at(4060)), "keep-alive: the next head within the idle timeout")
        #expect(timeouts.timerFired(at: at(4059)) == .schedule(at(4060)), "early: rescheduled, not closed")
        #expect(timeouts.timerFired(at: at(4060)) == .close)
    }

    @Test func aStaleHeaderTimerDoesNotCloseAConnectionThatMovedOn() {
        var timeouts = Timeouts(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        _ = timeouts.accepted(at: t0)
        _ = timeouts.requestHeadRead(at: at(2))
        // The header timer (t+10) fires while the body is still allowed until t+62.
        #expect(timeouts.timerFired(at: at(10)) == .schedule(at(62)))
        #expect(timeouts.timerFired(at: at(62)) == .close, "a body that stalls is closed at the idle timeout")
    }

    @Test func aPipelinedRequestKeepsTheConnectionOpenUntilItsAnswer() {
        var timeouts = Timeouts(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        _ = timeouts.accepted(at: t0)
        _ = timeouts.requestHeadRead(at: at(1))
        _ = timeouts.requestRead()
        _ = timeouts.requestHeadRead(at: at(1))
        _ = timeouts.requestRead()
        #expect(timeouts.answerWritten(at: at(2)) == .none, "the second answer is still to come")
        #expect(timeouts.answerWritten(at: at(3)) == .schedule(at(63)))
    }
}
