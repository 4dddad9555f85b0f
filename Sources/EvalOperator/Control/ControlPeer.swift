#if canImport(Glibc)
import Glibc
#endif
import EvalQueue
import Foundation

/// Who is on the other end of the control socket, as the kernel says:
/// pid, uid and gid from `SO_PEERCRED` (taken at connect), the supplementary
/// groups of that process, and the uid's user name for display. Nothing in
/// it comes from what the client wrote.
public struct ControlPeer: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups: the kernel's `SO_PEERGROUPS` (taken at connect),
    /// else `/proc/PID/status` `Groups:`; empty when neither can be read.
    public var groups: [UInt32]
    /// The uid's user name (`getpwuid_r`), nil when it has none.
    public var name: String?

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32], name: String?) {
        (self.pid, self.uid, self.gid, self.groups, self.name) = (pid, uid, gid, groups, name)
    }

    /// The peer named from its `SO_PEERCRED` credentials and, when the
    /// kernel gave them, its `SO_PEERGROUPS` groups. Without those (a kernel
    /// before 4.13, more groups than the buffer holds) the groups are read
    /// from `/proc/PID/status`, and only if that process still has the
    /// credentials the kernel gave at connect (same uid and gid): a pid that
    /// has meanwhile exited and been reused cannot lend its groups. (evald's
    /// unit has `ProtectProc=invisible`, so there that fallback sees only
    /// evald's own processes: SO_PEERGROUPS is what counts.)
    public init(credentials: PeerCredentials, groups kernelGroups: [UInt32]? = nil, procRoot: String = "/proc") {
        var groups = kernelGroups ?? []
        if kernelGroups == nil {
            let status = try? String(contentsOfFile: "\(procRoot)/\(credentials.pid)/status", encoding: .utf8)
            let fields = status.map(Self.statusFields) ?? [:]
            let sameProcess = fields["Uid"]?.dropFirst().first == credentials.uid && fields["Gid"]?.dropFirst().first == credentials.gid
            groups = sameProcess ? fields["Groups"] ?? [] : []
        }
        self.init(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: groups,
                  name: UserDatabase.userName(of: credentials.uid))
    }

    /// `Uid:`, `Gid:` (real, effective, saved, fs) and `Groups:` of a `/proc/PID/status` text.
    static func statusFields(_ text: String) -> [String: [UInt32]] {
        var fields: [String: [UInt32]] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            guard key == "Uid" || key == "Gid" || key == "Groups" else { continue }
            fields[key] = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
        }
        return fields
    }

    /// The audit trail's actor for this peer; `claimed` is what the request said.
    public func actor(claimedName: String?) -> AuditActor {
        AuditActor(uid: uid, name: name, claimedName: claimedName, via: .controlSocket)
    }

    public var description: String { "uid \(uid) (\(name ?? "no user name")), pid \(pid)" }
}

/// `struct ucred` as `getsockopt(SOL_SOCKET, SO_PEERCRED)` fills it (pid, uid, gid).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0) {
        (self.pid, self.uid, self.gid) = (pid, uid, gid)
    }

}

/// User and group names from the system's databases (NSS), re-entrant.
public enum UserDatabase {
    public static func userName(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    public static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return UInt32(entry.gr_gid)
    }
}
