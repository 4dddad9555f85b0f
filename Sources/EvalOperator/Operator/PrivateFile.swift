#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A file an operator asked for that may hold personal data (an export with
/// `--reveal`, a report): created new, mode 0600 whatever the umask, never
/// over an existing file or through a symlink planted at its path.
public enum PrivateFile {
    public struct Exists: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) exists: choose a new file name (an export never overwrites)" }
    }

    public static func create(_ path: String, contents: Data) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw Exists(path: path) }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: contents)
            try handle.synchronize()
        } catch {
            unlink(path)
            throw error
        }
    }
}
