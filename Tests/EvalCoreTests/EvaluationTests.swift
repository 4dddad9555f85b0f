import EvalCore
import Foundation
import Testing

@Suite struct EvaluationTests {
    static func sample(evaluator: Evaluator? = nil) -> Evaluation {
        Evaluation(
            satisfaction: .dissatisfied,
            assessedAt: ShanghaiTime.parse("2026-03-02 09:15:30")!,
            areaCode: "533103",
            deptCode: "11533103MB1234567X",
            deptName: "芒市政务服务管理局",
            hallCode: "H01",
            windowCode: "W07",
            deviceId: "1a86:e026:SN123",
            projectNo: "2026030200001",
            evaluatedPersons: [StaffMember(loginName: "zhangwei", name: "张伟")],
            evaluator: evaluator
        )
    }

    @Test func assessTimeIsShanghaiWallTime() {
        let evaluation = Self.sample()
        #expect(evaluation.assessTime == "2026-03-02 09:15:30")
        #expect(evaluation.assessedAt.timeIntervalSince1970 == 1_772_414_130)
    }

    @Test func anonymityFollowsTheEvaluator() {
        #expect(Self.sample().anonymityFlag == .anonymous)
        let named = Self.sample(evaluator: Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234")))
        #expect(named.anonymityFlag == .realName)
        #expect(named.withoutPersonalData.evaluator == nil)
    }

    @Test func personalDataNeverShowsInDescriptions() {
        let evaluator = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
        let evaluation = Self.sample(evaluator: evaluator)
        let renderings = [
            "\(evaluation)", String(describing: evaluation), String(reflecting: evaluation),
            "\(evaluator)", String(reflecting: evaluator.certKey), { var s = ""; dump(evaluation, to: &s); return s }(),
        ]
        for text in renderings {
            #expect(!text.contains("533103199001011234"), "leaked in: \(text)")
            #expect(!text.contains("王小明"), "leaked in: \(text)")
        }
        #expect(evaluator.certKey.masked == "5331**********1234")
        #expect(evaluator.userName.masked == "王**")
        #expect(evaluator.certKey.revealed == "533103199001011234")
    }

    @Test func storageEncodingKeepsEverything() throws {
        let evaluation = Self.sample(evaluator: Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"), userProp: .person))
        let decoded = try JSONDecoder().decode(Evaluation.self, from: JSONEncoder().encode(evaluation))
        #expect(decoded == evaluation)
    }
}
