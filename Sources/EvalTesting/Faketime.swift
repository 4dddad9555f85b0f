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

    /// A wall time several processes share through one file
    /// (`FAKETIME_TIMESTAMP_FILE`, re-read on every call with
    /// `FAKETIME_NO_CACHE`): writing the file moves all of them at once.
    ///
    /// All clocks move together here (the monotonic and boot clocks too):
    /// libfaketime 0.9.10 with `FAKETIME_DONT_FAKE_MONOTONIC=1` converts
    /// absolute monotonic deadlines (`clock_nanosleep`, `timerfd_settime`)
    /// with the wall offset — `EINVAL`, or a timer that fires a wall offset
    /// too late — which is why a process with a far-off `FAKETIME` and real
    /// monotonic time stops waking up. Kernel timers already armed keep their
    /// real deadline when the file changes.
    public final class SharedClock: Sendable {
        public let path: String
        public let library: String
        /// Also preloaded: `libevald-test-synchronized-clock.so`, whose
        /// adjtimex says the kernel keeps the (faked) clock synchronised.
        public let synchronizedClock: String?

        /// Starts at `start` (offset from the real clock, so time runs on).
        public init(path: String, library: String, start: Date, kernelSynchronized: Bool = false) throws {
            self.path = path
            self.library = library
            synchronizedClock = kernelSynchronized ? BuiltProducts.directory.appendingPathComponent("libevald-test-synchronized-clock.so").path : nil
            try set(start)
        }

        /// From now on the shared clock reads `date` (and runs on from it).
        public func set(_ date: Date) throws {
            let offset = Int((date.timeIntervalSinceNow).rounded())
            try Data("\(offset >= 0 ? "+" : "")\(offset)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }

        public var environment: [String: String] {
            ["LD_PRELOAD": ([library] + (synchronizedClock.map { [$0] } ?? [])).joined(separator: ":"),
             "FAKETIME_TIMESTAMP_FILE": path, "FAKETIME_NO_CACHE": "1"]
        }
    }
}
