import EvalCore
import EvalQueue
import Foundation
import Logging

/// Retry, release and drop, the operator's queue writes, done safely whether or not evald
/// runs: through its control socket when it does (the daemon names the
/// operator by the uid the kernel gives); otherwise directly, holding the
/// instance lock so that evald cannot start meanwhile. Either way the change
/// and its row in the store's `audit` table commit in one transaction, and
/// the `audit.log` mirror line follows the commit.
public enum QueueRepair {
    public enum Verb: String, Sendable {
        case retry, drop
        /// A record held as time-uncertain: send it with the time it was stamped with.
        case release

        var control: ControlRequest.Verb {
            switch self {
            case .retry: .retry
            case .drop: .drop
            case .release: .release
            }
        }
    }

    /// Performs `verb` and returns a one-line summary for the operator.
    public static func perform(_ verb: Verb, id: EvaluationID, context: OperatorContext) async throws -> String {
        switch context.daemon() {
        case .running:
            let request = ControlRequest(verb: verb.control, evaluationId: id.description, operatorName: AuditLog.claimedName)
            return try context.sendToDaemon(request)
        case .stopped:
            return try await context.withStoppedDaemonStore { store in
                try await apply(verb, id: id, queue: store, auditLog: context.auditLog, actor: AuditLog.evalctlActor(),
                                logger: Logger(label: "evalctl.queue"))
            }
        }
    }

    /// The write itself, on the daemon's store (its control socket handler)
    /// or on the store evalctl opened with evald stopped: the change and its
    /// audit row in one transaction, then the mirror line.
    public static func apply(_ verb: Verb, id: EvaluationID, queue: EvaluationQueue, auditLog: AuditLog, actor: AuditActor,
                             logger: Logger) async throws -> String {
        let message: String
        let entry: AuditEntry
        switch verb {
        case .retry:
            entry = try await queue.retry(id, now: Date(), by: actor)
            message = "\(id): rejected → pending; evald sends it again (after its next start if it is stopped)"
        case .release:
            let released = try await queue.release(id, now: Date(), by: actor)
            entry = released.audit
            message = "\(id): released; evald sends it with assessTime \(released.evaluation.assessTime)"
        case .drop:
            let dropped = try await queue.drop(id, by: actor)
            entry = dropped.audit
            message = "\(id): dropped (was \(dropped.record.state)); the record is kept in the audit trail"
        }
        auditLog.mirror(entry) { logger.error("\($0)") }
        return message
    }

    /// A warning on evalctl's stderr.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }
}
