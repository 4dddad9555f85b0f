import EvalCore
import Foundation

/// Who did an operator action, as the audit trail records it.
public struct AuditActor: Sendable, Equatable {
    public enum Via: String, Sendable {
        /// Through the daemon's control socket: the uid is the kernel's (SO_PEERCRED).
        case controlSocket = "control-socket"
        /// evalctl writing the store itself (evald stopped): its own getuid().
        case evalctl
    }

    public internal(set) var uid: UInt32
    /// The uid's user name (escaped on the way in); "uid=N" when it has none.
    public internal(set) var name: String
    /// What the client said about itself (SUDO_USER, a name in the request): kept, never trusted.
    public internal(set) var claimedName: String?
    public internal(set) var via: Via

    public init(uid: UInt32, name: String?, claimedName: String? = nil, via: Via) {
        self.uid = uid
        let shown = name.map { AuditText.escape($0, spaces: true) } ?? ""
        self.name = shown.isEmpty ? "uid=\(uid)" : shown
        let claimed = claimedName.map { AuditText.escape(String($0.prefix(256)), spaces: true) }
        self.claimedName = claimed == self.name || claimed?.isEmpty == true ? nil : claimed
        self.via = via
    }
}

/// One row of the `audit` table.
public struct AuditEntry: Sendable, Equatable {
    public internal(set) var at: Date
    public internal(set) var actor: AuditActor
    public internal(set) var verb: String
    public internal(set) var evaluationId: EvaluationID?
    /// What changed (escaped on the way in).
    public internal(set) var detail: String

    public init(at: Date, actor: AuditActor, verb: String, evaluationId: EvaluationID?, detail: String) {
        self.at = at
        self.actor = actor
        self.verb = AuditText.escape(verb, spaces: true)
        self.evaluationId = evaluationId
        self.detail = AuditText.escape(detail)
    }

    /// The mirror's line (`audit.log`): always exactly one line, whatever the
    /// names and the detail hold. `verb=… evaluationId=…` come first, as before.
    public var line: String {
        var line = "\(AuditSQL.timestamp(at)) verb=\(verb) evaluationId=\(evaluationId?.description ?? "-")"
        line += " uid=\(actor.uid) operator=\(actor.name)"
        if let claimed = actor.claimedName { line += " claimed=\(claimed)" }
        line += " via=\(actor.via.rawValue) \(detail)\n"
        return line
    }
}
