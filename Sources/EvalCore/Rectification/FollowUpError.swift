/// A follow-up step that the review's current state does not allow.
///
/// A struct around a private code, so new reasons do not break callers;
/// compare with the static values (`error == .notAllowed`), read `description`
/// for the operator.
public struct FollowUpError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case notAllowed, alreadyClosed, beforePreviousStep, extensionNotLater, noCallBackNeeded, alreadyRecorded, emptyText
    }

    private let code: Code
    /// What was refused and why, for the operator.
    public let detail: String

    private init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// The step does not fit the stage (e.g. rectify before verify).
    public static let notAllowed = FollowUpError(.notAllowed)
    /// The follow-up is closed: nothing more can be recorded.
    public static let alreadyClosed = FollowUpError(.alreadyClosed)
    /// The step's day is before the rating or the previous step.
    public static let beforePreviousStep = FollowUpError(.beforePreviousStep)
    /// An extension's new deadline must be after the step's day and the current deadline.
    public static let extensionNotLater = FollowUpError(.extensionNotLater)
    /// A call-back on an anonymous review.
    public static let noCallBackNeeded = FollowUpError(.noCallBackNeeded)
    /// Feedback or a completed call-back recorded twice.
    public static let alreadyRecorded = FollowUpError(.alreadyRecorded)
    /// A reason, measures, explanation or note left empty.
    public static let emptyText = FollowUpError(.emptyText)

    func with(_ detail: String) -> FollowUpError { FollowUpError(code, detail) }

    /// The stable name of the reason (fixtures, JSON, exit messages).
    public var name: String { code.rawValue }

    public var description: String { detail.isEmpty ? name : "\(name): \(detail)" }

    public static func == (lhs: FollowUpError, rhs: FollowUpError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
