import Foundation
import Synchronization

/// `X-Nonce` values: 32 lowercase hex characters that are never reused.
///
/// 64 random bits chosen once per process followed by a 64-bit counter: the
/// counter rules out repeats within a process, the random prefix across
/// restarts (a collision needs the same 64-bit prefix *and* counter value).
public final class NonceGenerator: Sendable {
    private let prefix: String
    private let counter: Mutex<UInt64>

    public convenience init() {
        var generator = SystemRandomNumberGenerator()
        self.init(prefix: generator.next(), start: generator.next() >> 16)
    }

    public init(prefix: UInt64, start: UInt64 = 0) {
        self.prefix = Self.hex16(prefix)
        self.counter = Mutex(start)
    }

    public func next() -> String {
        let value = counter.withLock { counter -> UInt64 in
            counter &+= 1
            return counter
        }
        return prefix + Self.hex16(value)
    }

    private static func hex16(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
