import EvalCore
import Foundation

/// An evaluation split into the columns the queue stores: the searchable
/// fields the operator CLI filters on, the JSON payload without identity, and
/// the evaluator's identity in a column of its own so it can be purged.
///
/// Built on the caller's task, not the writer thread: the writer only binds.
struct StoredEvaluation: Sendable {
    let id: String
    let rating: Int
    let isBad: Bool
    let evaluationType: Int
    let windowCode: String
    let projectNo: String?
    let assessedAt: Double
    /// UTF-8 JSON, bound to SQLite as it is (no intermediate `String`).
    let payload: [UInt8]
    let personalData: String?
    let payloadBytes: Int

    init(_ evaluation: Evaluation) {
        id = Self.lowercaseUUID(evaluation.evaluationId.uuid)
        rating = evaluation.satisfaction.rawValue
        isBad = evaluation.isBadReview
        evaluationType = evaluation.evaluationType.rawValue
        windowCode = evaluation.windowCode
        projectNo = evaluation.projectNo
        assessedAt = evaluation.assessedAt.timeIntervalSince1970
        payload = EvaluationJSON.payloadBytes(evaluation, id: id)
        personalData = evaluation.evaluator.map(EvaluationJSON.personalData)
        payloadBytes = payload.count + (personalData?.utf8.count ?? 0)
    }

    /// `EvaluationID.description` without Foundation's `uuidString` (which
    /// goes through `sprintf`) and `lowercased()`: the same text, a tenth of the cost.
    static func lowercaseUUID(_ uuid: UUID) -> String {
        let hex = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid.uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (position, byte) in raw.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = hex[Int(byte >> 4)]
                    out[index + 1] = hex[Int(byte & 0xF)]
                    index += 2
                }
                return index
            }
        }
    }

    /// Binds the INSERT's parameters (see `EvaluationQueue.insertSQL`) and runs it.
    /// Typed binds, no `[any Bindable]` array; the payload is bound without a
    /// copy (`SQLITE_STATIC`), which is safe because the statement is stepped
    /// and reset (clearing its bindings) while the buffer is pinned.
    func insert(with statement: Statement, at now: Double) throws {
        try payload.withUnsafeBufferPointer { json in
            defer { statement.reset() }
            try statement.bindText(1, id)
            try statement.bindInt(2, rating)
            try statement.bindInt(3, isBad ? 1 : 0)
            try statement.bindInt(4, evaluationType)
            try statement.bindText(5, windowCode)
            try statement.bindText(6, projectNo)
            try statement.bindDouble(7, assessedAt)
            try statement.bindPinnedText(8, json)
            try statement.bindInt(9, payloadBytes)
            try statement.bindText(10, personalData)
            try statement.bindDouble(11, now)
            try statement.bindDouble(12, now)
            try statement.step()
        }
    }

    /// Rebuilds the evaluation from its stored payload and (if not purged) identity.
    ///
    /// The hand-written reader reads what `EvaluationJSON` writes; whatever it
    /// does not expect goes to `JSONDecoder`, so a record that cannot be read
    /// throws exactly as before (and is dead-lettered by `claim`).
    static func decode(payload: String, personalData: String?) throws -> Evaluation {
        if var evaluation = EvaluationJSONReader.evaluation(payload) {
            guard let personalData else { return evaluation }
            if let evaluator = EvaluationJSONReader.evaluator(personalData) {
                evaluation.evaluator = evaluator
                return evaluation
            }
        }
        return try decodeWithFoundation(payload: payload, personalData: personalData)
    }

    /// The reference decoder: the fallback above, and what the tests compare with.
    static func decodeWithFoundation(payload: String, personalData: String?) throws -> Evaluation {
        let decoder = JSONDecoder()
        var evaluation = try decoder.decode(Evaluation.self, from: Data(payload.utf8))
        if let personalData {
            evaluation.evaluator = try decoder.decode(Evaluator.self, from: Data(personalData.utf8))
        }
        return evaluation
    }
}
