import EvalCore
@testable import EvalPlatform
import Foundation
import Testing

/// Issue 26: reasons and the national fields reach the `evald-json/1` record
/// as optional camelCase properties, absent when unset, so a record without
/// them is byte for byte what it was.
struct NationalFieldsWireTests {
    private let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))

    static func everyField() -> NationalFields {
        var national = NationalFields()
        national.version = "2"
        national.evaversion = "1"
        national.serviceNumber = "SN-2026-0001"
        national.taskType = "1"
        national.promisetime = "5"
        national.handleUserName = PersonalData("李代办")
        national.handleUserPageType = PersonalData("111")
        national.handleUserPageCode = PersonalData("533103199001011234")
        national.userPageType = "111"
        national.mobile = PersonalData("13800138000")
        national.applyTime = "2026-03-02 09:00:00"
        national.dataSource = "evald"
        return national
    }

    @Test func everyFieldIsWrittenAsJSONEncoderWritesIt() throws {
        var evaluation = Samples.evaluation(.dissatisfied, realName: true)
        evaluation.evalDetail = [213, 214]
        evaluation.writingEvaluation = PersonalData("态度\"生硬\"\n，等了很久")
        evaluation.national = Self.everyField()
        let records = [adapter.record(for: evaluation), adapter.record(for: Samples.evaluation())]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = Array(try encoder.encode(EvaldJSONWire.Batch(evaluations: records)))
        #expect(EvaldJSONWriter.batch(records) == expected)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(expected)) as? [String: Any])
        let first = try #require((object["evaluations"] as? [[String: Any]])?.first)
        #expect(first["evalDetail"] as? String == "213,214")
        #expect(first["mobile"] as? String == "13800138000")
        #expect(first["version"] as? String == "2")
        for field in NationalField.allCases {
            #expect(first[field.rawValue] != nil, "missing \(field.rawValue)")
        }
    }

    @Test func absentFieldsLeaveTheRecordAsItWas() throws {
        let evaluation = Samples.evaluation(.satisfied, realName: true)
        let body = String(decoding: try adapter.body(for: [evaluation]), as: UTF8.self)
        for name in ["evalDetail", "writingEvaluation"] + NationalField.allCases.map(\.rawValue) {
            #expect(!body.contains("\"\(name)\""), "\(name) written though unset")
        }
        // The same record with empty national fields is the same record.
        var empty = evaluation
        empty.national = nil
        #expect(try adapter.body(for: [empty]) == (try adapter.body(for: [evaluation])))
    }
}
