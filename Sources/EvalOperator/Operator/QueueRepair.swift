import EvalCore
import EvalQueue
import Foundation
import Logging

/// Retry, release and drop, the operator's queue writes, done safely whether or not evald
/// runs: through its control socket when it does; otherwise directly, holding
/// the instance lock so that evald cannot start meanwhile. Either way one
/// audit line is written.
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
    public static func perform(_ verb: Verb, id: EvaluationID, context: OperatorContext, operatorName: String) async throws -> String {
        switch context.daemon() {
        case .running:
            let request = ControlRequest(verb: verb.control, evaluationId: id.description, operatorName: operatorName)
            return try context.sendToDaemon(request)
        case .stopped:
            return try context.withInstanceLock {
                let editor = try QueueEditor(path: context.queuePath, logger: Logger(label: "evalctl.queue"))
                switch verb {
                case .retry:
                    try editor.retry(id, now: Date())
                    try context.auditLog.append(verb: "retry", evaluationId: id.description, operatorName: operatorName, detail: "rejected → pending")
                    return "\(id): rejected → pending; evald sends it after its next start"
                case .release:
                    let evaluation = try editor.release(id, now: Date())
                    try context.auditLog.append(verb: "release", evaluationId: id.description, operatorName: operatorName,
                                                detail: "time-uncertain → pending, sent as stamped: assessTime \(evaluation.assessTime)")
                    return "\(id): released; evald sends it after its next start with assessTime \(evaluation.assessTime)"
                case .drop:
                    let record = try editor.drop(id)
                    try context.auditLog.append(verb: "drop", evaluationId: id.description, operatorName: operatorName,
                                                detail: "state=\(record.state) record=\(auditJSON(record))")
                    return "\(id): dropped (was \(record.state)); the record is kept in \(context.auditLog.path)"
                }
            }
        }
    }

    /// The write itself, shared by evalctl (daemon stopped) and the daemon's
    /// control socket handler.
    public static func apply(_ verb: Verb, id: EvaluationID, queue: EvaluationQueue, auditLog: AuditLog, operatorName: String) async throws -> String {
        switch verb {
        case .retry:
            try await queue.retry(id, now: Date())
            try auditLog.append(verb: "retry", evaluationId: id.description, operatorName: operatorName, detail: "rejected → pending")
            return "\(id): rejected → pending; evald will send it again"
        case .release:
            let evaluation = try await queue.release(id, now: Date())
            try auditLog.append(verb: "release", evaluationId: id.description, operatorName: operatorName,
                                detail: "time-uncertain → pending, sent as stamped: assessTime \(evaluation.assessTime)")
            return "\(id): released; evald sends it now with assessTime \(evaluation.assessTime)"
        case .drop:
            let record = try await queue.drop(id)
            try auditLog.append(verb: "drop", evaluationId: id.description, operatorName: operatorName,
                                detail: "state=\(record.state) record=\(auditJSON(record))")
            return "\(id): dropped (was \(record.state)); the record is kept in \(auditLog.path)"
        }
    }

    /// The record as it was, personal data removed, for the audit log.
    static func auditJSON(_ record: QueuedRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(record.evaluation.withoutPersonalData)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
