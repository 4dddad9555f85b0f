import EvalCore
import Foundation

/// An open case whose default rating is due.
public struct DueCase: Hashable, Sendable {
    public var opening: CaseOpening
    public var dueAt: Date
    public var lastDay: CivilDate
}
