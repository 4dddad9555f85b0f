import Foundation

/// libfaketime for tests that run a real process at another wall time
/// (Debian package `faketime`, listed in scripts/bootstrap.sh).
public enum Faketime {
    /// Where Debian-family systems install the preload library.
    static let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ]

    /// The preload library, or nil when `faketime` is not installed.
    public static var library: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The environment that preloads libfaketime directly (not through the
    /// `faketime` wrapper, which forks and pre-sets `FAKETIME_SHARED`), with
    /// `FAKETIME` as given, e.g. `"@2000-01-01 08:00:00"` or `"-2h"`.
    ///
    /// Only the wall clock is faked (`FAKETIME_DONT_FAKE_MONOTONIC=1`), as on
    /// a counter PC whose RTC lost power: the monotonic and boot clocks stay
    /// true. Faked, they disagree with the kernel's timers, and a process's
    /// sleeps (Swift's Task.sleep, dispatch timers) stop waking up.
    public static func preloadEnvironment(faketime: String, library: String) -> [String: String] {
        ["LD_PRELOAD": library, "FAKETIME": faketime, "FAKETIME_DONT_FAKE_MONOTONIC": "1"]
    }
}
