import EvalCore

/// The API's services, as a pure value: every change is a mutating method
/// that takes the moment and returns the records that ended (for the event
/// stream). It reads no clock; `CounterAPI` sleeps on the injected `Clock`
/// until `nextDeadline` and calls `expire(at:)`.
///
/// Replace-on-reopen: opening a service at a window that has one waiting ends
/// the old one as `cancelled` (`reason: replaced`), like a new case scan ends
/// the counter's current service. The old case stays open in the ledger for
/// its default rating. See docs/api.md.
public struct ServiceRegistry<Instant: InstantProtocol> where Instant.Duration == Duration {
    private struct Entry {
        var record: CounterServiceRecord
        var deadline: Instant
    }

    private var entries: [String: Entry] = [:]
    private var waitingByWindow: [String: String] = [:]
    /// Ended services, oldest first: kept for `GET` until `retainedEnded` is exceeded.
    private var ended: [String] = []
    public let retainedEnded: Int

    public init(retainedEnded: Int = 1_000) {
        self.retainedEnded = retainedEnded
    }

    public func record(_ serviceId: String) -> CounterServiceRecord? { entries[serviceId]?.record }

    public func waiting(at windowCode: String) -> CounterServiceRecord? {
        waitingByWindow[windowCode].flatMap { entries[$0]?.record }
    }

    /// The window where `projectNo` waits, if any.
    public func windowWaiting(for projectNo: String) -> String? {
        waitingByWindow.first { entries[$0.value]?.record.ticket.projectNo == projectNo }?.key
    }

    public var nextDeadline: Instant? {
        waitingByWindow.values.compactMap { entries[$0]?.deadline }.min()
    }

    /// Adds a waiting service; returns the one it replaced, now cancelled.
    public mutating func open(_ record: CounterServiceRecord, deadline: Instant) -> [CounterServiceRecord] {
        var endedNow: [CounterServiceRecord] = []
        if let previous = waitingByWindow[record.windowCode], previous != record.serviceId {
            if let replaced = finish(previous, .cancelled(reason: .replaced)) { endedNow.append(replaced) }
        }
        var waiting = record
        waiting.state = .waiting
        entries[record.serviceId] = Entry(record: waiting, deadline: deadline)
        waitingByWindow[record.windowCode] = record.serviceId
        return endedNow
    }

    /// Forgets a service the counter session refused (unknown window, already
    /// rated): it never existed for the client.
    public mutating func withdraw(_ serviceId: String) {
        guard let entry = entries.removeValue(forKey: serviceId) else { return }
        if waitingByWindow[entry.record.windowCode] == serviceId { waitingByWindow[entry.record.windowCode] = nil }
    }

    /// A stored evaluation: rates the window's waiting service if it is for
    /// the same case. Anonymous ratings and other cases leave it waiting.
    public mutating func rated(windowCode: String, projectNo: String?, evaluationId: String, satisfaction: Int) -> CounterServiceRecord? {
        guard let projectNo, let id = waitingByWindow[windowCode], entries[id]?.record.ticket.projectNo == projectNo else { return nil }
        return finish(id, .rated(evaluationId: evaluationId, satisfaction: satisfaction))
    }

    /// Changes a known service's record (an ended one too: its detail).
    public mutating func update(_ serviceId: String, _ change: (inout CounterServiceRecord) -> Void) -> CounterServiceRecord? {
        guard var entry = entries[serviceId] else { return nil }
        change(&entry.record)
        entries[serviceId] = entry
        return entry.record
    }

    public enum CancelOutcome: Equatable {
        case cancelled(CounterServiceRecord)
        case notFound
        /// Already ended: its record as it ended.
        case notWaiting(CounterServiceRecord)
    }

    public mutating func cancel(_ serviceId: String, reason: CounterServiceRecord.CancelReason = .cancelled) -> CancelOutcome {
        guard let entry = entries[serviceId] else { return .notFound }
        guard entry.record.isWaiting else { return .notWaiting(entry.record) }
        return finish(serviceId, .cancelled(reason: reason)).map(CancelOutcome.cancelled) ?? .notFound
    }

    /// Every waiting service whose countdown has run out at `now`.
    public mutating func expire(at now: Instant) -> [CounterServiceRecord] {
        let due = waitingByWindow.values.filter { id in entries[id].map { $0.deadline <= now } ?? false }.sorted()
        return due.compactMap { finish($0, .expired) }
    }

    /// Every waiting service, cancelled (the agent stops).
    public mutating func cancelAll(reason: CounterServiceRecord.CancelReason) -> [CounterServiceRecord] {
        waitingByWindow.values.sorted().compactMap { finish($0, .cancelled(reason: reason)) }
    }

    private mutating func finish(_ serviceId: String, _ state: CounterServiceRecord.State) -> CounterServiceRecord? {
        guard var entry = entries[serviceId], entry.record.isWaiting else { return nil }
        entry.record.state = state
        entries[serviceId] = entry
        if waitingByWindow[entry.record.windowCode] == serviceId { waitingByWindow[entry.record.windowCode] = nil }
        ended.append(serviceId)
        while ended.count > retainedEnded { entries[ended.removeFirst()] = nil }
        return entry.record
    }
}
