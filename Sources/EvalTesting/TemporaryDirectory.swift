import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
/// Tests use real files on disk, never an in-memory database.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "evald-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
