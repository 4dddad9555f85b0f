import EvalCore
import EvalQueue
import Foundation
import Logging

/// Recording a bad review's follow-up step (`evalctl bad-reviews verify`,
/// `rectify`, `extend`, `feedback`, `call-back`): through the control socket
/// while evald runs, otherwise through the store evalctl opens holding the
/// instance lock. Either way the step and its audit row commit in one
/// transaction, mirrored to audit.log after.
public enum FollowUpRecording {
    /// Records `step` and returns a one-line summary for the operator.
    public static func perform(_ step: FollowUpStep, id: EvaluationID, context: OperatorContext, now: Date = Date()) async throws -> String {
        switch context.daemon() {
        case .running:
            return try context.sendToDaemon(ControlRequest(verb: .followUp, evaluationId: id.description,
                                                           operatorName: AuditLog.claimedName, followUpStep: step.fields))
        case .stopped:
            return try await context.withStoppedDaemonStore { store in
                try await record(step, id: id, store: store, auditLog: context.auditLog, actor: AuditLog.evalctlActor(), now: now) {
                    QueueRepair.warn($0)
                }
            }
        }
    }

    /// The write, on the daemon's store or on the one evalctl opened with
    /// evald stopped: the step and its audit row in one transaction, then the mirror.
    static func record(_ step: FollowUpStep, id: EvaluationID, store: EvaluationQueue, auditLog: AuditLog, actor: AuditActor,
                       now: Date, warn: (String) -> Void) async throws -> String {
        let (appended, entry) = try await store.appendFollowUpStep(step, to: id, recordedAt: now, by: actor) { detail(step, $0) }
        auditLog.mirror(entry, report: warn)
        return answer(id, step, appended)
    }

    /// The audit row's detail for a recorded step.
    static func detail(_ step: FollowUpStep, _ appended: FollowUpStore.Appended) -> String {
        let fields = step.fields
        let history = appended.history
        var detail = "follow-up step=\(history.records.count) kind=\(fields.kind) day=\(fields.day) by=\(AuditText.escape(fields.by, spaces: true))"
        if let verification = fields.verification { detail += " verification=\(verification)" }
        if let newDeadline = fields.newDeadline { detail += " newDeadline=\(newDeadline)" }
        if let result = fields.result { detail += " result=\(result)" }
        return detail + " stage=\(history.followUp.stage.rawValue)" + (appended.purgedIdentity ? " identity=purged" : "")
    }

    /// The operator's one-line answer.
    static func answer(_ id: EvaluationID, _ step: FollowUpStep, _ appended: FollowUpStore.Appended) -> String {
        let followUp = appended.history.followUp
        return "\(id): \(step.fields.kind) recorded; now \(followUp.stage.rawValue), deadline \(followUp.deadline)"
            + (appended.purgedIdentity ? "; evaluator identity purged" : "")
    }

    /// A control request's step, checked, written by the daemon's store writer
    /// with its audit row (the operator as the kernel named it), mirrored and answered.
    public static func handle(_ request: ControlRequest, actor: AuditActor, queue: EvaluationQueue, auditLog: AuditLog,
                              logger: Logger) async -> ControlResponse {
        guard let text = request.evaluationId, let id = EvaluationID(text) else {
            return ControlResponse(ok: false, message: "not an evaluationId: \(request.evaluationId ?? "(none)")")
        }
        guard let step = request.followUpStep.flatMap({ FollowUpStep($0) }) else {
            return ControlResponse(ok: false, message: "malformed follow-up step")
        }
        do {
            let message = try await record(step, id: id, store: queue, auditLog: auditLog, actor: actor, now: Date()) { logger.error("\($0)") }
            return ControlResponse(ok: true, message: message)
        } catch {
            return ControlResponse(ok: false, message: "\(error)")
        }
    }
}
