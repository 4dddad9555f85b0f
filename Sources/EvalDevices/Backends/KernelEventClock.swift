import CLibUSB
import EvalCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The clock the kernel stamps one evdev descriptor's events with, and the
/// conversion of an event's time into an `InputStamp`.
///
/// evald asks for `CLOCK_BOOTTIME` (EVIOCSCLOCKID); a kernel or emulation
/// that refuses keeps `CLOCK_REALTIME`. Either way an event's *age* (that
/// clock now − its time) is what carries over to the stamp: a press the
/// reader got to 190 ms late is still stamped when the key went down. A time
/// that makes no sense as an age (a replayed recording's relative times, a
/// wall clock set between the event and the read) is not trusted: the event
/// is stamped when it was read.
struct KernelEventClock: Sendable {
    let clockID: clockid_t
    /// Older than this is not a plausible read delay.
    static let maximumAge: Double = 10

    init(fd: Int32) {
        clockID = evald_evdev_set_clock(fd, Int32(CLOCK_BOOTTIME)) == 0 ? CLOCK_BOOTTIME : CLOCK_REALTIME
    }

    init(clockID: clockid_t) { self.clockID = clockID }

    func stamp(eventTime: Double, wall: any WallClock) -> InputStamp {
        let now = InputStamp.now(wall: wall)
        var ts = timespec()
        clock_gettime(clockID, &ts)
        return Self.stamp(eventTime: eventTime, eventClockNow: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9, now: now)
    }

    /// The stamp of an event at `eventTime` on a clock that reads
    /// `eventClockNow` at the instant `now` was read.
    static func stamp(eventTime: Double, eventClockNow: Double, now: InputStamp) -> InputStamp {
        let age = eventClockNow - eventTime
        guard age >= 0, age <= maximumAge else { return now }
        return now.earlier(by: .nanoseconds(Int64((age * 1e9).rounded())))
    }
}
