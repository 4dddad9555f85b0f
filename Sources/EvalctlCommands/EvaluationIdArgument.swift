import EvalCore
import EvalQueue

/// An evaluationId as an operator types it: the whole UUID, or the short id
/// the tables show (its last 12 digits, see `RecordPresentation.shortId`) —
/// any unique ending of 8 digits or more.
enum EvaluationIdArgument {
    static let shortest = 8

    /// `reader` is opened only for a short id.
    static func resolve(_ text: String, reader: () throws -> QueueReader) throws -> EvaluationID {
        if let id = EvaluationID(text) { return id }
        let suffix = text.lowercased()
        guard suffix.count >= shortest, suffix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw Failure("not an evaluationId: \(text) (a UUID, or the short id evalctl queue list shows)")
        }
        let matches = try reader().evaluationIds(endingWith: suffix, limit: 2)
        switch matches.count {
        case 0: throw Failure("unknown evaluationId \(text): no such record in the queue")
        case 1: return matches[0]
        default: throw Failure("ambiguous evaluationId \(text): several records end with it; give more digits or the whole UUID")
        }
    }
}
