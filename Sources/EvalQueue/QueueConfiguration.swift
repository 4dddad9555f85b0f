import Foundation

/// Everything the queue needs to know from the agent's configuration file.
/// The service maps the `[queue]` TOML table onto this; every field has a default.
public struct QueueConfiguration: Sendable, Equatable {
    /// The SQLite file. Its `-wal` and `-shm` companions live next to it.
    public var path: String
    /// Records not yet delivered (pending + in flight) above which enqueue refuses.
    public var maxPendingRecords: Int
    /// Payload bytes of records not yet delivered above which enqueue refuses.
    public var maxPendingBytes: Int
    /// Free bytes on the queue's file system below which enqueue refuses, so the
    /// queue never fills the disk the operating system also needs.
    public var minFreeBytes: Int64
    /// Delivered records are kept this many days for audit, then pruned.
    public var deliveredRetentionDays: Int
    /// The evaluator's identity is kept this long after delivery, then purged
    /// (rule 6, 保护评价人信息). The rest of the record stays for audit.
    public var personalDataRetention: TimeInterval
    /// Records that never reach the platform keep the identity this long: a
    /// dead letter from its rejection, a time-uncertain record from its
    /// enqueue. An operator retrying one later sends it anonymous.
    public var undeliveredPersonalDataRetention: TimeInterval
    /// A real-name bad review's identity is kept for the call-back and erased
    /// when it is recorded; if it never is, at this age all the same.
    public var badReviewIdentityMaxAge: TimeInterval
    /// Files moved aside as damaged (`.corrupt-*`) are removed this long after
    /// they were quarantined, once the operator had the time to salvage them.
    public var quarantineRetention: TimeInterval
    /// Bytes allocated beside the queue and given back when a commit finds
    /// the disk full, so that what the platform answered can still be
    /// recorded (`DiskReserve`). 0: none.
    public var diskReserveBytes: Int
    /// Rows deleted or purged per transaction, so housekeeping never holds the
    /// write lock long enough to delay an enqueue noticeably.
    public var pruneBatchSize: Int

    public init(
        path: String = QueueConfiguration.defaultPath,
        maxPendingRecords: Int = 1_000_000,
        maxPendingBytes: Int = 1 << 30,
        minFreeBytes: Int64 = 64 << 20,
        deliveredRetentionDays: Int = 90,
        personalDataRetention: TimeInterval = 30 * 86_400,
        undeliveredPersonalDataRetention: TimeInterval = 90 * 86_400,
        badReviewIdentityMaxAge: TimeInterval = 180 * 86_400,
        quarantineRetention: TimeInterval = 90 * 86_400,
        // A settle batch of 100 records writes a few pages; 4 MiB of WAL
        // frames records thousands of them, while costing nothing that matters.
        diskReserveBytes: Int = 4 << 20,
        pruneBatchSize: Int = 500
    ) {
        self.path = path
        self.maxPendingRecords = maxPendingRecords
        self.maxPendingBytes = maxPendingBytes
        self.minFreeBytes = minFreeBytes
        self.deliveredRetentionDays = deliveredRetentionDays
        self.personalDataRetention = personalDataRetention
        self.undeliveredPersonalDataRetention = undeliveredPersonalDataRetention
        self.badReviewIdentityMaxAge = badReviewIdentityMaxAge
        self.quarantineRetention = quarantineRetention
        self.diskReserveBytes = diskReserveBytes
        self.pruneBatchSize = pruneBatchSize
    }

    /// Where the daemon keeps its queue unless configured otherwise (the same
    /// defaults as `[queue]` in evald.toml: docs/configuration.md).
    public static let defaultPath = "/var/lib/evald/queue.db"
}
