import Synchronization

/// At most one critical line per cause a minute. A full disk refuses every
/// press until someone frees space; a line per press (one run logged 2 079)
/// buries the one that says what to do. The next line a cause gets says how
/// many it stood for. Instants are passed in, so tests drive it.
public final class LoudLines: Sendable {
    public typealias Instant = ContinuousClock.Instant

    private struct Cause {
        var loggedAt: Instant
        var suppressed: Int
    }

    private let causes = Mutex<[String: Cause]>([:])
    public let interval: Duration

    public init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Whether a line for `cause` is due at `now`: nil to stay quiet, else
    /// the number of lines it was quiet for since the last.
    public func admit(_ cause: String, now: Instant = .now) -> Int? {
        causes.withLock { causes in
            if var known = causes[cause], known.loggedAt.duration(to: now) < interval {
                known.suppressed += 1
                causes[cause] = known
                return nil
            }
            let suppressed = causes[cause]?.suppressed ?? 0
            causes[cause] = Cause(loggedAt: now, suppressed: 0)
            return suppressed
        }
    }

    /// `message`, with how many lines of its cause it stands for.
    public static func line(_ message: String, suppressed: Int) -> String {
        suppressed == 0 ? message : "\(message) (\(suppressed) more like it in the last minute, not logged)"
    }
}
