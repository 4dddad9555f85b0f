#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Append-only record of what operators changed in the queue
/// (`<state_dir>/audit.log`): one line per retry or drop, with who, when,
/// and — for a drop — the record as it was, so nothing vanishes untraced.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("audit.log")
    }

    public init(path: String) { self.path = path }

    /// The operator: the login behind sudo when there is one.
    public static var currentOperator: String {
        let env = ProcessInfo.processInfo.environment
        if let sudoUser = env["SUDO_USER"], !sudoUser.isEmpty { return sudoUser }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid=\(getuid())"
    }

    public func append(verb: String, evaluationId: String, operatorName: String, detail: String, at date: Date = Date()) throws {
        let stamp = ISO8601DateFormatter().string(from: date)
        let clean = detail.replacingOccurrences(of: "\n", with: " ")
        let line = "\(stamp) operator=\(operatorName) verb=\(verb) evaluationId=\(evaluationId) \(clean)\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path,
                NSLocalizedDescriptionKey: "cannot write audit log \(path): \(String(cString: strerror(errno)))"])
        }
        defer { close(fd) }
        // One write() with O_APPEND: concurrent writers never interleave within a line.
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
    }
}
