import EvalCore
import EvalQueue
import Foundation

/// `--reveal` (queue show, bad-reviews list, export): the audit row is
/// written **before** any personal data is shown, and if it cannot be
/// written the reveal is refused. While evald runs the row goes through its
/// control socket (the operator named by the kernel's uid, and only root or
/// group evald-operator may); otherwise evalctl writes it through the store it
/// opens itself, which needs write access (root, or user evald).
public enum RevealAudit {
    public static func record(_ what: String, evaluationId: EvaluationID? = nil, context: OperatorContext) async throws {
        do {
            switch context.daemon() {
            case .running:
                _ = try context.sendToDaemon(ControlRequest(verb: .reveal, evaluationId: evaluationId?.description,
                                                            operatorName: AuditLog.claimedName, detail: what))
            case .stopped:
                let entry = AuditEntry(at: Date(), actor: AuditLog.evalctlActor(), verb: "reveal", evaluationId: evaluationId, detail: what)
                try await context.withStoppedDaemonStore { try await $0.recordAudit(entry) }
                context.auditLog.mirror(entry) { QueueRepair.warn($0) }
            }
        } catch {
            throw OperatorError("--reveal refused: the audit entry could not be written, so nothing is shown in clear (\(error))")
        }
    }
}
