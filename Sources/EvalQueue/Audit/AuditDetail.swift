import EvalCore
import Foundation

/// The `detail` of the store's own audited actions.
enum AuditDetail {
    static let retry = "rejected → pending"

    static func release(_ evaluation: Evaluation) -> String {
        "time-uncertain → pending, sent as stamped: assessTime \(evaluation.assessTime)"
    }

    /// A dropped record as it was, personal data removed: nothing vanishes untraced.
    static func drop(_ record: QueuedRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(record.evaluation.withoutPersonalData)) ?? Data()
        return "state=\(record.state) record=\(String(decoding: data, as: UTF8.self))"
    }
}

extension OperatorEdits {
    /// Each repair and its audit row, inside the caller's transaction.
    static func retry(_ id: EvaluationID, audit actor: AuditActor, at now: Date, in db: Connection) throws -> (bytes: Int, audit: AuditEntry) {
        let bytes = try retry(id, at: now.timeIntervalSince1970, in: db)
        let entry = AuditEntry(at: now, actor: actor, verb: "retry", evaluationId: id, detail: AuditDetail.retry)
        try AuditSQL.insert(entry, on: db)
        return (bytes, entry)
    }

    static func release(_ id: EvaluationID, audit actor: AuditActor, at now: Date, in db: Connection) throws -> (evaluation: Evaluation, audit: AuditEntry) {
        let evaluation = try release(id, at: now.timeIntervalSince1970, in: db)
        let entry = AuditEntry(at: now, actor: actor, verb: "release", evaluationId: id, detail: AuditDetail.release(evaluation))
        try AuditSQL.insert(entry, on: db)
        return (evaluation, entry)
    }

    static func drop(_ id: EvaluationID, audit actor: AuditActor, at now: Date, in db: Connection) throws -> (record: QueuedRecord, audit: AuditEntry) {
        let record = try drop(id, in: db)
        let entry = AuditEntry(at: now, actor: actor, verb: "drop", evaluationId: id, detail: AuditDetail.drop(record))
        try AuditSQL.insert(entry, on: db)
        return (record, entry)
    }
}
