/// The queue database's schema: every migration, in order.
///
/// The queue's own tables come first; other stores sharing the same file (the
/// case ledger of the counter sessions, filtered presses) append theirs in
/// files named `Schema+<Store>.swift`, listed here once.
public enum Schema {
    public static var all: [Migration] { queue + caseLedger }

    /// The outbox tables; filled in by the queue.
    static let queue: [Migration] = []
}
