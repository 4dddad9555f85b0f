import EvalCore
@testable import EvalPlatform
import Foundation
import Testing

/// The hand-written body writer must write exactly what `JSONEncoder`
/// (`.sortedKeys`, `.withoutEscapingSlashes`) writes for the same batch.
struct EvaldJSONWriterTests {
    private func encoderBytes(_ records: [EvaldJSONWire.Record]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(EvaldJSONWire.Batch(evaluations: records)))
    }

    private let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))

    @Test func aBatchIsByteForByteWhatJSONEncoderWrites() throws {
        var evaluations = Samples.batch(5, badEvery: 2)
        evaluations.append(Samples.evaluation(.dissatisfied, realName: true))
        evaluations[1].projectNo = "P-2026/03\u{4E00}"
        evaluations[1].taskCode = "11530000MB1234567X4000117003000"
        evaluations[1].taskName = "营业执照 \"变更\" 登记\\备案"
        evaluations[2].hallCode = nil
        evaluations[2].deptName = nil
        evaluations[3].evaluatedPersons = []
        evaluations[4].evaluatedPersons.append(StaffMember(loginName: "li.si", name: "李四"))
        let records = evaluations.map(adapter.record(for:))
        #expect(EvaldJSONWriter.batch(records) == (try encoderBytes(records)))
        #expect(try adapter.body(for: evaluations) == (try encoderBytes(records)))
    }

    @Test func controlCharactersAreEscapedAndRoundTrip() throws {
        var evaluation = Samples.evaluation()
        evaluation.taskName = "a\tb\nc\rd\u{08}e\u{0C}f\u{01}g\u{1F}h/i"
        let records = [adapter.record(for: evaluation)]
        let written = EvaldJSONWriter.batch(records)
        let decoded = try JSONDecoder().decode(EvaldJSONWire.Batch.self, from: Data(written))
        #expect(decoded.evaluations == records)
        #expect(written == (try encoderBytes(records)))
    }
}
