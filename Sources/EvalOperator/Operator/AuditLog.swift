#if canImport(Glibc)
import Glibc
#endif
import EvalQueue
import Foundation

/// The text mirror of the store's `audit` table (`<state_dir>/audit.log`):
/// one line per operator action, appended **after** the action and its row
/// committed. The table is the record; a mirror line that cannot be written
/// is reported (logged, or a warning from evalctl), never a reason to undo.
///
/// The file is created by systemd-tmpfiles (evald:evald 0640). If it is
/// missing and root creates it (evalctl with sudo, evald stopped), it is
/// given to the state directory's owner, so evald can still append to it.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("audit.log")
    }

    public init(path: String) { self.path = path }

    /// evalctl's own actor when it writes the store itself: its uid from the
    /// kernel (getuid), that user's name, and the login behind sudo as the
    /// claimed name (the environment is the caller's word, so only recorded).
    public static func evalctlActor() -> AuditActor {
        let uid = UInt32(getuid())
        return AuditActor(uid: uid, name: UserDatabase.userName(of: uid), claimedName: claimedName, via: .evalctl)
    }

    /// What evalctl says about who runs it (sent as the request's claimed name).
    public static var claimedName: String? {
        let env = ProcessInfo.processInfo.environment
        if let sudoUser = env["SUDO_USER"], !sudoUser.isEmpty { return sudoUser }
        return UserDatabase.userName(of: UInt32(getuid()))
    }

    /// Appends `entry`'s line (always exactly one line: `AuditEntry.line`).
    public func mirror(_ entry: AuditEntry) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        let created = fd >= 0
        let handle = created ? fd : open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard handle >= 0 else {
            throw AuditMirrorError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(handle) }
        if created, geteuid() == 0 {
            var directory = stat()
            if stat((path as NSString).deletingLastPathComponent, &directory) == 0 {
                _ = fchown(handle, directory.st_uid, directory.st_gid)
            }
        }
        // One write() with O_APPEND: concurrent writers never interleave within a line.
        let bytes = Array(entry.line.utf8)
        let written = bytes.withUnsafeBytes { write(handle, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw AuditMirrorError(path: path, reason: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
        fsync(handle)
    }

    /// `mirror`, its failure said through `report` (the row is committed: not fatal).
    public func mirror(_ entry: AuditEntry, report: (String) -> Void) {
        do { try mirror(entry) } catch { report("\(error)") }
    }
}

public struct AuditMirrorError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String {
        "cannot append to the audit mirror \(path): \(reason) (the action and its row in the queue's audit table are committed)"
    }
}
