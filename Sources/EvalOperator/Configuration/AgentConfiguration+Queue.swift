import EvalQueue
import Foundation

extension AgentConfiguration {
    /// `[queue]` → the queue module's configuration.
    public var queueConfiguration: QueueConfiguration {
        QueueConfiguration(
            path: queue.resolvedPath(stateDirectory: agent.stateDirectory),
            maxPendingRecords: queue.maxPendingRecords,
            maxPendingBytes: queue.maxPendingBytes,
            minFreeBytes: Int64(queue.minFreeBytes),
            deliveredRetentionDays: queue.deliveredRetentionDays,
            personalDataRetention: TimeInterval(queue.personalDataRetentionDays) * 86_400,
            undeliveredPersonalDataRetention: TimeInterval(queue.undeliveredPersonalDataRetentionDays) * 86_400,
            badReviewIdentityMaxAge: TimeInterval(queue.badReviewIdentityMaxDays) * 86_400,
            quarantineRetention: TimeInterval(queue.quarantineRetentionDays) * 86_400
        )
    }
}
