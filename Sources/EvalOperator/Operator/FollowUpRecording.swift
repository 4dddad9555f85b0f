import EvalCore
import EvalQueue
import Foundation

/// Recording a bad review's follow-up step (`evalctl bad-reviews verify`,
/// `rectify`, `extend`, `feedback`, `call-back`): through the control socket
/// while evald runs, otherwise directly holding the instance lock. Either way
/// one audit line is written.
public enum FollowUpRecording {
    /// Records `step` and returns a one-line summary for the operator.
    public static func perform(_ step: FollowUpStep, id: EvaluationID, context: OperatorContext, operatorName: String, now: Date = Date()) throws -> String {
        switch context.daemon() {
        case .running:
            return try context.sendToDaemon(ControlRequest(verb: .followUp, evaluationId: id.description,
                                                           operatorName: operatorName, followUpStep: step.fields))
        case .stopped:
            guard FileManager.default.fileExists(atPath: context.queuePath) else {
                throw OperatorError("no queue at \(context.queuePath) (evald has never run with this configuration?)")
            }
            return try context.withInstanceLock {
                let ledger = try CaseLedger(path: context.queuePath)
                return try apply(step, id: id, ledger: ledger, auditLog: context.auditLog, operatorName: operatorName, now: now)
            }
        }
    }

    /// The write with evald stopped (evalctl holds the instance lock: the only writer).
    public static func apply(_ step: FollowUpStep, id: EvaluationID, ledger: CaseLedger, auditLog: AuditLog, operatorName: String, now: Date) throws -> String {
        let before = try ledger.followUp(of: id)
        let history = try ledger.appendFollowUpStep(step, to: id, recordedAt: now)
        let purged = before?.identityStored == true && !history.identityStored
        return try audit(step, id: id, history: history, purged: purged, auditLog: auditLog, operatorName: operatorName, now: now)
    }

    /// One audit line for a recorded step, and the operator's one-line answer.
    static func audit(_ step: FollowUpStep, id: EvaluationID, history: FollowUpHistory, purged: Bool,
                      auditLog: AuditLog, operatorName: String, now: Date) throws -> String {
        let fields = step.fields
        var detail = "follow-up step=\(history.records.count) kind=\(fields.kind) day=\(fields.day) by=\(fields.by)"
        if let verification = fields.verification { detail += " verification=\(verification)" }
        if let newDeadline = fields.newDeadline { detail += " newDeadline=\(newDeadline)" }
        if let result = fields.result { detail += " result=\(result)" }
        detail += " stage=\(history.followUp.stage.rawValue)" + (purged ? " identity=purged" : "")
        try auditLog.append(verb: "bad-review-\(fields.kind)", evaluationId: id.description, operatorName: operatorName, detail: detail, at: now)
        return "\(id): \(fields.kind) recorded; now \(history.followUp.stage.rawValue), deadline \(history.followUp.deadline)"
            + (purged ? "; evaluator identity purged" : "")
    }

    /// A control request's step, checked, written by the daemon's store writer, audited and answered.
    public static func handle(_ request: ControlRequest, queue: EvaluationQueue, auditLog: AuditLog) async -> ControlResponse {
        guard let text = request.evaluationId, let id = EvaluationID(text) else {
            return ControlResponse(ok: false, message: "not an evaluationId: \(request.evaluationId ?? "(none)")")
        }
        guard let step = request.followUpStep.flatMap({ FollowUpStep($0) }) else {
            return ControlResponse(ok: false, message: "malformed follow-up step")
        }
        do {
            let now = Date()
            let appended = try await queue.appendFollowUpStep(step, to: id, recordedAt: now)
            return ControlResponse(ok: true, message: try audit(step, id: id, history: appended.history, purged: appended.purgedIdentity,
                                                               auditLog: auditLog, operatorName: request.operatorName ?? "unknown", now: now))
        } catch {
            return ControlResponse(ok: false, message: "\(error)")
        }
    }
}
