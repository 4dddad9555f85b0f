#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The hall's code key, `[sessions] code_key_file`: the bytes of the file,
/// exactly (`head -c 32 /dev/urandom`; no newline is stripped), at least 16
/// of them, in a file no other user can read or anyone but its owner write
/// (0640 root:evald). Read by the daemon for signed scan rules and by
/// `evalctl codes` to sign.
public struct CodeKeySource: Sendable, Equatable, CustomStringConvertible {
    public static let minimumLength = 16

    public var path: String

    public init(path: String) { self.path = path }

    public var description: String { "code key \(path)" }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public func load() throws(Problem) -> [UInt8] {
        let create = "create it: head -c 32 /dev/urandom > \(path); chown root:evald \(path); chmod 0640 \(path)"
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Problem(description: "\(self): missing; \(create)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Problem(description: "\(self): not a regular file") }
        guard info.st_mode & (S_IROTH | S_IWOTH | S_IWGRP) == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw Problem(description: "\(self): mode \(mode) lets other users read or change it; chmod 0640 \(path) (owner root, group evald)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "\(self): not readable by this user (permission denied; run as root or as a member of group evald)")
        }
        guard data.count >= Self.minimumLength else {
            throw Problem(description: "\(self): \(data.count) bytes, at least \(Self.minimumLength) needed; \(create)")
        }
        return Array(data)
    }

    /// The check as a configuration issue, for `--check-config`.
    public func issue() -> ConfigurationIssue? {
        do {
            _ = try load()
            return nil
        } catch {
            return ConfigurationIssue(location: "[sessions] code_key_file", message: error.description)
        }
    }
}
