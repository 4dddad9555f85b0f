import EvalCore
import Foundation

/// The `audit` table's statements. `insert` runs inside the caller's
/// transaction: the action and its row commit together, or neither does.
public enum AuditSQL {
    static func insert(_ entry: AuditEntry, on db: Connection) throws {
        try db.prepare("""
            INSERT INTO audit (at, operator_uid, operator_name, claimed_name, via, verb, evaluation_id, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).run([entry.at.timeIntervalSince1970, Int(entry.actor.uid), entry.actor.name, entry.actor.claimedName,
                      entry.actor.via.rawValue, entry.verb, entry.evaluationId?.description, entry.detail])
    }

    /// Every row, oldest first (optionally of one evaluation).
    public static func entries(of id: EvaluationID? = nil, on db: Connection) throws -> [AuditEntry] {
        try db.prepare("""
            SELECT at, operator_uid, operator_name, claimed_name, via, verb, evaluation_id, detail FROM audit
            WHERE ?1 IS NULL OR evaluation_id = ?1 ORDER BY seq
            """).rows([id?.description]) { row in
                var entry = AuditEntry(at: Date(timeIntervalSince1970: row.column(0) ?? 0),
                                       actor: AuditActor(uid: 0, name: nil, via: .evalctl),
                                       verb: "", evaluationId: row.column(6, as: String.self).flatMap { EvaluationID($0) }, detail: "")
                // Stored text is already escaped: read back as it is.
                entry.actor.uid = UInt32(row.column(1, as: Int.self) ?? 0)
                entry.actor.name = row.column(2) ?? ""
                entry.actor.claimedName = row.column(3)
                entry.actor.via = AuditActor.Via(rawValue: row.column(4) ?? "") ?? .evalctl
                entry.verb = row.column(5) ?? ""
                entry.detail = row.column(7) ?? ""
                return entry
            }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
