/// Why the queue refused or failed an operation.
///
/// A struct around a private code, so new reasons do not break callers; two
/// errors compare equal when their kind matches (the message is for people),
/// which lets tests write `#expect(throws: QueueError.full) { … }`.
public struct QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case full
        case diskFull
        case closed
        case notFound
        case wrongState
        case unreadable
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: QueueError, rhs: QueueError) -> Bool { lhs.code == rhs.code }

    /// The configured cap (records, bytes or minimum free disk space) is reached.
    /// Nothing was stored; nothing older was dropped to make room.
    public static let full = QueueError(.full, "queue full")
    /// SQLite could not write (SQLITE_FULL): the transaction was rolled back and
    /// the queue is usable again as soon as space is freed.
    public static let diskFull = QueueError(.diskFull, "disk full")
    /// The queue was closed.
    public static let closed = QueueError(.closed, "queue closed")
    /// No record with that evaluation id.
    public static let notFound = QueueError(.notFound, "no such record")
    /// The record is not in a state that allows the operation (e.g. retrying a
    /// record that is not a dead letter).
    public static let wrongState = QueueError(.wrongState, "record in wrong state")

    public var isFull: Bool { code == .full }
    public var isDiskFull: Bool { code == .diskFull }

    static func full(_ message: String) -> QueueError { QueueError(.full, message) }
    static func diskFull(_ message: String) -> QueueError { QueueError(.diskFull, message) }
    static func notFound(_ message: String) -> QueueError { QueueError(.notFound, message) }
    static func wrongState(_ message: String) -> QueueError { QueueError(.wrongState, message) }
    /// A stored row the types cannot hold (damaged by hand or by the disk).
    static func unreadable(_ message: String) -> QueueError { QueueError(.unreadable, message) }
}
