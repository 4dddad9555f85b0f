import CLibUSB  // timespec: Glibc's, but the module that defines it here is libusb's (its header includes time.h)
import EvalCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The kernel clock reads behind `BootInstant` and `InputStamp`: I/O, so not in
// EvalCore. Here because the device readers stamp input with them; the
// daemon (EvalAgent) links EvalDevices and uses the same reads.

extension BootInstant {
    /// Reads the kernel's boottime clock.
    public static var now: BootInstant {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return BootInstant(sinceBoot: .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec)))
    }
}

extension InputStamp {
    /// Now, on both clocks.
    public static func now(wall clock: any WallClock = SystemWallClock()) -> InputStamp {
        InputStamp(wall: clock.now(), boot: .now)
    }
}
