import EvalCore
import EvalQueue
import Foundation

extension OperatorError {
    /// Runs an audited store write from evalctl; a file an older evald left
    /// (no `audit` table yet) or a store that refuses the row is said plainly.
    static func explainingAudit<T>(_ queuePath: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.message.contains("no such table: audit") {
            throw OperatorError("\(queuePath) has no audit table yet (an older evald wrote it): start evald once so it "
                + "migrates the file, then try again; nothing changed")
        } catch let error as SQLiteError {
            throw OperatorError("cannot write the audit row in \(queuePath): \(error.message); nothing changed")
        }
    }
}

/// `--reveal` (queue show, bad-reviews list, export): the audit row is
/// written **before** any personal data is shown, and if it cannot be
/// written the reveal is refused. While evald runs the row goes through its
/// control socket (the operator named by the kernel's uid, and only root or
/// group evald-operator may); otherwise evalctl writes it into the queue file
/// itself, which needs write access (root, or user evald).
public enum RevealAudit {
    public static func record(_ what: String, evaluationId: EvaluationID? = nil, context: OperatorContext) throws {
        do {
            switch context.daemon() {
            case .running:
                _ = try context.sendToDaemon(ControlRequest(verb: .reveal, evaluationId: evaluationId?.description,
                                                            operatorName: AuditLog.claimedName, detail: what))
            case .stopped:
                let entry = AuditEntry(at: Date(), actor: AuditLog.evalctlActor(), verb: "reveal", evaluationId: evaluationId, detail: what)
                try OperatorError.explainingAudit(context.queuePath) {
                    try QueueEditor(path: context.queuePath).recordAudit(entry)
                }
                context.auditLog.mirror(entry) { QueueRepair.warn($0) }
            }
        } catch {
            throw OperatorError("--reveal refused: the audit entry could not be written, so nothing is shown in clear (\(error))")
        }
    }
}
