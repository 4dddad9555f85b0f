#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Space held back on the queue's disk for the writes that record what the
/// platform answered. When the disk fills to its last byte (something else
/// filled it: evald itself stops taking ratings at `minFreeBytes`), SQLite
/// cannot append even the WAL frame that marks a record delivered, and every
/// batch would be sent again and again. So the queue keeps a file of
/// `bytes` allocated beside it (`<queue>.reserve`, blocks really allocated
/// with `posix_fallocate`, not a sparse hole), gives it back to the file
/// system the first time a commit fails for a full disk, and takes it again
/// when the disk has room.
struct DiskReserve: Sendable {
    let path: String
    let bytes: Int

    init(queuePath: String, bytes: Int) {
        path = queuePath + ".reserve"
        self.bytes = bytes
    }

    var isHeld: Bool { FileManager.default.fileExists(atPath: path) }

    /// Allocates the reserve unless it is held, or unless taking it would
    /// leave less than `floor` bytes free. True when it is held afterwards.
    @discardableResult
    func ensure(floor: Int64) -> Bool {
        guard bytes > 0 else { return false }
        if isHeld { return true }
        let directory = (path as NSString).deletingLastPathComponent
        guard let free = DiskSpace.availableBytes(at: directory.isEmpty ? "." : directory),
              free - Int64(bytes) >= floor else { return false }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard posix_fallocate(fd, 0, off_t(bytes)) == 0 else {
            unlink(path)
            return false
        }
        return true
    }

    /// Gives the space back. True when there was a reserve to give.
    @discardableResult
    func release() -> Bool {
        unlink(path) == 0
    }
}
