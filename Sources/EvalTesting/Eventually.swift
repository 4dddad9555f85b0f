import Foundation

/// Checks `condition` every `step` until it holds or `timeout` passes, and
/// says which. The timeout is a bound against hanging, never the assertion
/// itself: make it generous, for a CI machine under load.
public func eventually(timeout: Duration, every step: Duration = .milliseconds(25),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: step)
    }
    return try await condition()
}

/// The same, throwing `NotReached` (naming `what`) when the condition never held.
public func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    guard try await eventually(timeout: timeout, condition) else { throw NotReached(what: what, timeout: timeout) }
}

public struct NotReached: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public var description: String { "not reached within \(timeout): \(what)" }
}
