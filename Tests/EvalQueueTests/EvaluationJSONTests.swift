import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("The queue's hand-written evaluation JSON")
struct EvaluationJSONTests {
    static let tricky: Evaluation = {
        var evaluation = SampleEvaluation.make(rating: .veryDissatisfied, projectNo: "BJ\"2026\"\\001\n\t\u{1}", realName: true)
        evaluation.evaluationType = .defaulted
        evaluation.assessNumber = .followUp
        evaluation.pf = .qrCode
        evaluation.assessedAt = Date(timeIntervalSince1970: 1_790_000_000.123456)
        evaluation.taskName = "不动产登记 😀 \u{7f}"
        evaluation.evaluatedPersons.append(StaffMember(loginName: "li\"si", name: "李四"))
        evaluation.evaluator = Evaluator(userName: PersonalData("王\"五"), certKey: PersonalData("91530000MA6K0000X"), userProp: .legalEntity)
        return evaluation
    }()

    @Test(arguments: [tricky, SampleEvaluation.make(), SampleEvaluation.make(realName: true)])
    func roundTripsThroughJSONDecoder(_ evaluation: Evaluation) throws {
        let stored = StoredEvaluation(evaluation)
        #expect(try StoredEvaluation.decode(payload: String(decoding: stored.payload, as: UTF8.self), personalData: stored.personalData) == evaluation)
    }

    @Test func matchesJSONEncoderFieldByField() throws {
        let evaluation = Self.tricky
        func object(_ data: Data) throws -> NSDictionary {
            try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        }
        let ours = try object(Data(EvaluationJSON.payload(evaluation).utf8))
        let foundation = try object(try JSONEncoder().encode(evaluation.withoutPersonalData))
        #expect(ours == foundation)
        let evaluator = try #require(evaluation.evaluator)
        #expect(try object(Data(EvaluationJSON.personalData(evaluator).utf8)) == object(try JSONEncoder().encode(evaluator)))
    }

    @Test func thePayloadHoldsNoPersonalData() {
        let stored = StoredEvaluation(SampleEvaluation.make(realName: true))
        let payload = String(decoding: stored.payload, as: UTF8.self)
        #expect(!payload.contains("533103199001011234"))
        #expect(!payload.contains("李小红"))
        #expect(stored.personalData?.contains("533103199001011234") == true)
    }
}

@Suite("The queue's UUID formatting")
struct UUIDFormattingTests {
    @Test func matchesEvaluationIDDescription() {
        for _ in 0..<200 {
            let id = EvaluationID.make()
            #expect(StoredEvaluation.lowercaseUUID(id.uuid) == id.description)
        }
        let edge = EvaluationID(uuid: UUID(uuid: (0, 0xff, 0x10, 0x0f, 0xa0, 0x0a, 0x70, 0, 0x80, 1, 2, 3, 4, 5, 6, 0xfe)))
        #expect(StoredEvaluation.lowercaseUUID(edge.uuid) == edge.description)
    }
}
