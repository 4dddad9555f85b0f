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
    let payload: String
    let personalData: String?

    var payloadBytes: Int { payload.utf8.count + (personalData?.utf8.count ?? 0) }

    init(_ evaluation: Evaluation) {
        id = Self.lowercaseUUID(evaluation.evaluationId.uuid)
        rating = evaluation.satisfaction.rawValue
        isBad = evaluation.isBadReview
        evaluationType = evaluation.evaluationType.rawValue
        windowCode = evaluation.windowCode
        projectNo = evaluation.projectNo
        assessedAt = evaluation.assessedAt.timeIntervalSince1970
        payload = EvaluationJSON.payload(evaluation, id: id)
        personalData = evaluation.evaluator.map(EvaluationJSON.personalData)
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

    /// Rebuilds the evaluation from its stored payload and (if not purged) identity.
    static func decode(payload: String, personalData: String?) throws -> Evaluation {
        let decoder = JSONDecoder()
        var evaluation = try decoder.decode(Evaluation.self, from: Data(payload.utf8))
        if let personalData {
            evaluation.evaluator = try decoder.decode(Evaluator.self, from: Data(personalData.utf8))
        }
        return evaluation
    }
}
