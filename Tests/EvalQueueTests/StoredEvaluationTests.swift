import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("The queue's typed columns")
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

    /// Through a real queue file: every field in its column and back, equal.
    @Test(arguments: [tricky, SampleEvaluation.make(), SampleEvaluation.make(realName: true)])
    func roundTripsThroughTheColumns(_ evaluation: Evaluation) async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        try await queue.enqueue(evaluation)
        let listed = try QueueReader(path: fixture.path).list(QueueListQuery(limit: 10)).map(\.evaluation)
        #expect(listed == [evaluation])
        let claimed = try await queue.claim(limit: 10, now: fixture.now).map(\.evaluation)
        #expect(claimed == [evaluation])
        queue.close()
    }

    @Test func thePersonsListMatchesJSONEncoder() throws {
        let persons = Self.tricky.evaluatedPersons
        let ours = try JSONSerialization.jsonObject(with: Data(EvaluationJSON.persons(persons))) as? NSArray
        let foundation = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(persons)) as? NSArray
        #expect(ours != nil && ours == foundation)
        #expect(try EvaluationJSON.readPersons(String(decoding: EvaluationJSON.persons(persons), as: UTF8.self)) == persons)
        #expect(EvaluationJSON.persons([]) == Array("[]".utf8))
    }

    /// The identity is in the evaluator columns only, so the purge removes all of it.
    @Test func personalDataLivesInTheEvaluatorColumnsOnly() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        try await queue.enqueue(SampleEvaluation.make(realName: true))
        queue.close()
        let db = try Connection(path: fixture.path)
        let everythingElse = try db.scalar("""
            SELECT json_array(evaluation_id, area_code, dept_code, dept_name, hall_code, window_code, device_id, project_no,
                              task_code, task_name, evaluated_persons, recorded_boot_id, last_error, rejected_reason) FROM evaluations
            """, as: String.self) ?? ""
        #expect(!everythingElse.contains("533103199001011234") && !everythingElse.contains("李小红"), "\(everythingElse)")
        #expect(try db.scalar("SELECT evaluator_cert_key FROM evaluations", as: String.self) == "533103199001011234")
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
