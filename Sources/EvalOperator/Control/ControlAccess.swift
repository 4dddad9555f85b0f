#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Who may do what on the control socket. Reaching the socket at all needs
/// group `evald` (its mode, 0660 evald:evald); that is enough for the read
/// verbs. A verb that changes something — a queue repair, a follow-up step,
/// a reveal of personal data, a prompt on a keypad — needs more: root, the
/// daemon's own user (who owns the queue file anyway), or membership of the
/// operator group (`evald-operator`: primary or supplementary group of the
/// connecting process, as the kernel reports them: SO_PEERCRED, SO_PEERGROUPS).
public struct ControlAccess: Sendable {
    public static let operatorGroupName = "evald-operator"

    /// Users who may always change things: root and the daemon's own user.
    public var privilegedUIDs: Set<UInt32>
    public var operatorGroupName: String
    /// Resolves the operator group's gid at each request (the group may be
    /// created after evald started); nil when it does not exist.
    public var operatorGroupID: @Sendable () -> UInt32?

    public init(privilegedUIDs: Set<UInt32>, operatorGroupName: String = Self.operatorGroupName,
                operatorGroupID: @escaping @Sendable () -> UInt32?) {
        self.privilegedUIDs = privilegedUIDs
        self.operatorGroupName = operatorGroupName
        self.operatorGroupID = operatorGroupID
    }

    /// The daemon's policy: root, its own effective user, and group `evald-operator`.
    public static func system() -> ControlAccess {
        ControlAccess(privilegedUIDs: [0, UInt32(geteuid())]) { UserDatabase.groupID(named: Self.operatorGroupName) }
    }

    public static func isReadOnly(_ verb: ControlRequest.Verb) -> Bool {
        switch verb {
        case .ping: true
        case .retry, .drop, .release, .followUp, .prompt, .reveal: false
        }
    }

    /// Nil when `peer` may ask for `verb`; otherwise the refusal, said to the client.
    public func refusal(of verb: ControlRequest.Verb, from peer: ControlPeer) -> String? {
        if Self.isReadOnly(verb) || privilegedUIDs.contains(peer.uid) { return nil }
        if let gid = operatorGroupID(), peer.gid == gid || peer.groups.contains(gid) { return nil }
        return "permission denied: \(verb.rawValue) changes evald's data and needs root or group \(operatorGroupName); "
            + "\(peer.name ?? "uid \(peer.uid)") (uid \(peer.uid)) is neither "
            + "(add the operator with `sudo usermod -aG \(operatorGroupName) \(peer.name ?? "USER")` and log in again, or use sudo)"
    }
}
