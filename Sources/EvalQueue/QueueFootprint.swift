import Foundation

/// What the queue takes on disk and what is left beside it: the storage
/// gauges of /metrics, read at scrape time.
public struct QueueFootprint: Sendable, Hashable {
    /// The SQLite file and its write-ahead log (`<path>-wal`).
    public var fileBytes: Int64
    /// Free bytes on the file system holding the queue, as evald may use them
    /// (`statvfs` `f_bavail`); nil when it cannot be read.
    public var filesystemFreeBytes: Int64?

    public init(fileBytes: Int64, filesystemFreeBytes: Int64?) {
        self.fileBytes = fileBytes
        self.filesystemFreeBytes = filesystemFreeBytes
    }

    /// Reads the footprint of the queue file at `path`.
    public static func read(path: String) -> QueueFootprint {
        let sizes = [path, path + "-wal"].map { file -> Int64 in
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return QueueFootprint(fileBytes: sizes.reduce(0, +), filesystemFreeBytes: DiskSpace.availableBytes(at: path))
    }
}

extension EvaluationQueue {
    /// The footprint of this queue's file.
    public func footprint() -> QueueFootprint { QueueFootprint.read(path: configuration.path) }
}
