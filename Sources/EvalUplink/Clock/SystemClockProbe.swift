#if canImport(Glibc)
import EvalCore
import Glibc
#endif
import Foundation

/// Reads the real clocks. `adjtimex` is not exported by Swift's Glibc module,
/// so it is looked up with dlsym and called with a zeroed `struct timex`
/// (modes = 0: read only, no privileges needed).
public enum SystemClockProbe {
    public static func sample() -> ClockSample {
        ClockSample(wall: Date(), boot: bootSeconds(), kernelUnsynchronized: kernelUnsynchronized())
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`); boottime instants
    /// compare only within one boot. "unknown" where the file is unreadable.
    public static let bootID: String = {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? "unknown" : id
    }()

    public static func bootSeconds() -> TimeInterval {
        #if os(Linux)
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
        #else
        return ProcessInfo.processInfo.systemUptime
        #endif
    }

    private typealias AdjtimexFunction = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private static let timeError: Int32 = 5  // TIME_ERROR
    private static let staUnsync: Int32 = 0x0040  // STA_UNSYNC
    /// `status` follows `modes` (+pad) and four longs in `struct timex` on LP64.
    private static let statusOffset = 40

    /// Looked up once: every input is dated through a clock sample, and a
    /// `dlopen`/`dlsym` per sample was half of what dating cost.
    #if os(Linux) && (arch(x86_64) || arch(arm64))
    private static let adjtimex: AdjtimexFunction? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "adjtimex") else { return nil }
        return unsafeBitCast(symbol, to: AdjtimexFunction.self)
    }()
    #endif

    public static func kernelUnsynchronized() -> Bool? {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        guard let adjtimex else { return nil }
        // `struct timex` is 208 bytes on LP64; 512 leaves room for what a libc adds.
        return withUnsafeTemporaryAllocation(byteCount: 512, alignment: 16) { buffer in
            guard let base = buffer.baseAddress else { return nil }
            base.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
            let state = adjtimex(base)
            guard state >= 0 else { return nil }
            let status = base.load(fromByteOffset: statusOffset, as: Int32.self)
            return state == timeError || status & staUnsync != 0
        }
        #else
        return nil
        #endif
    }
}
