import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

@Suite("The queue's hand-written evaluation JSON reader")
struct EvaluationJSONReaderTests {
    /// Deterministic, so a failure names a reproducible case.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let texts: [String] = [
        "", "W01", "不动产登记", "芒市政务服务管理局", "quote\"inside", "back\\slash", "slash/ok",
        "line\nbreak\r\ttab", "nul\u{0}and\u{1}\u{1f}", "\u{7f}del", "emoji 😀🇨🇳", "混合 mixed \"引号\" \\ \n",
        String(repeating: "长", count: 300), "\u{2028}\u{2029}", "é", "\u{8}\u{c}",
    ]

    static func text(_ rng: inout SplitMix64) -> String {
        texts[Int(rng.next() % UInt64(texts.count))] + (rng.next() % 3 == 0 ? texts[Int(rng.next() % UInt64(texts.count))] : "")
    }

    static func optionalText(_ rng: inout SplitMix64) -> String? {
        rng.next() % 2 == 0 ? nil : text(&rng)
    }

    static func varied(count: Int) -> [Evaluation] {
        var rng = SplitMix64(state: 20_261_129)
        return (0..<count).map { index in
            // Instants from before 2001 to far ahead, with and without fractions.
            let seconds = Double(rng.next() % 4_000_000_000) - 500_000_000
            let fraction = index % 3 == 0 ? 0 : Double(rng.next() % 1_000_000) / 1_000_000
            let date = Date(timeIntervalSince1970: seconds + fraction)
            let persons = (0..<Int(rng.next() % 4)).map { _ in StaffMember(loginName: text(&rng), name: text(&rng)) }
            let evaluator: Evaluator? = rng.next() % 2 == 0 ? nil : Evaluator(
                userName: PersonalData(text(&rng)), certKey: PersonalData(text(&rng)),
                userProp: rng.next() % 2 == 0 ? .person : .legalEntity)
            return Evaluation(
                evaluationId: .make(at: date, using: &rng),
                satisfaction: Rating.allCases[Int(rng.next() % 5)],
                evaluationType: rng.next() % 2 == 0 ? .active : .defaulted,
                assessedAt: date,
                assessNumber: rng.next() % 2 == 0 ? .first : .followUp,
                pf: Channel(rawValue: Int(rng.next() % 9)),
                areaCode: text(&rng), deptCode: optionalText(&rng), deptName: optionalText(&rng),
                hallCode: optionalText(&rng), windowCode: text(&rng), deviceId: text(&rng),
                projectNo: optionalText(&rng), taskCode: optionalText(&rng), taskName: optionalText(&rng),
                evaluatedPersons: persons, evaluator: evaluator)
        }
    }

    @Test func readsWhatTheWriterWritesAsJSONDecoderDoes() throws {
        for evaluation in Self.varied(count: 2_000) {
            let stored = StoredEvaluation(evaluation)
            let payload = String(decoding: stored.payload, as: UTF8.self)
            // The lean reader itself, not the fallback, must read every record the writer makes.
            let lean = try #require(EvaluationJSONReader.evaluation(payload), "\(payload)")
            if let personalData = stored.personalData {
                #expect(EvaluationJSONReader.evaluator(personalData) == evaluation.evaluator)
            }
            let foundation = try StoredEvaluation.decodeWithFoundation(payload: payload, personalData: stored.personalData)
            #expect(lean == foundation.withoutPersonalData, "\(payload)")
            #expect(try StoredEvaluation.decode(payload: payload, personalData: stored.personalData) == foundation)
            #expect(foundation == evaluation)
        }
    }

    @Test func everyOptionalFieldAbsentAndNoStaff() throws {
        let bare = Evaluation(satisfaction: .satisfied, assessedAt: Date(timeIntervalSince1970: 0),
                              areaCode: "533103", windowCode: "W01", deviceId: "d")
        let payload = EvaluationJSON.payload(bare)
        #expect(EvaluationJSONReader.evaluation(payload) == bare)
    }

    /// Shapes the writer never produces: the lean reader refuses them; the
    /// Foundation fallback reads what is valid JSON for `Evaluation` and throws
    /// for the rest, as before.
    @Test func unexpectedShapesAreRefused() throws {
        let good = EvaluationJSON.payload(SampleEvaluation.make())
        let broken = [
            "", "{", "[]", String(good.dropLast()), good + "x", good + "{}",
            good.replacingOccurrences(of: "\"satisfaction\":5", with: "\"satisfaction\":9"),
            good.replacingOccurrences(of: "\"satisfaction\":5", with: "\"satisfaction\":\"5\""),
            good.replacingOccurrences(of: "\"windowCode\"", with: "\"windowKode\""),
            good.replacingOccurrences(of: "\"evaluationId\":\"", with: "\"evaluationId\":\"x"),
            good.replacingOccurrences(of: "\"loginName\"", with: "\"login\""),
            good.replacingOccurrences(of: "W01", with: "W\u{1}01"),
            good.replacingOccurrences(of: "W01", with: "W\\q01"),
        ]
        for payload in broken {
            #expect(EvaluationJSONReader.evaluation(payload) == nil, "\(payload)")
            #expect(throws: (any Error).self, "\(payload)") {
                try StoredEvaluation.decode(payload: payload, personalData: nil)
            }
        }
        // A repeated key is valid JSON to Foundation (the last wins), never written by us.
        #expect(EvaluationJSONReader.evaluation(good.replacingOccurrences(of: "\"pf\":5", with: "\"pf\":5,\"pf\":5")) == nil)
        #expect(EvaluationJSONReader.evaluator("{\"userName\":\"a\",\"certKey\":\"b\"}") == nil)
        #expect(EvaluationJSONReader.evaluator("{\"userName\":\"a\",\"certKey\":\"b\",\"userProp\":3}") == nil)
        #expect(throws: (any Error).self) {
            try StoredEvaluation.decode(payload: good, personalData: "{\"userName\":\"a\"}")
        }
    }

    /// Valid JSON the writer does not produce (spaces, another key order,
    /// `null`): read by the fallback, so nothing readable today is dead-lettered.
    @Test func otherValidJSONStillReadsThroughTheFallback() throws {
        let evaluation = SampleEvaluation.make(realName: true)
        let foundation = String(decoding: try JSONEncoder().encode(evaluation.withoutPersonalData), as: UTF8.self)
        let spaced = EvaluationJSON.payload(evaluation).replacingOccurrences(of: ",", with: " ,\n ")
        let nulled = EvaluationJSON.payload(evaluation).replacingOccurrences(of: "\"pf\":5", with: "\"pf\":5,\"projectNo\":null")
        let personalData = try #require(StoredEvaluation(evaluation).personalData)
        for payload in [foundation, spaced, nulled] {
            #expect(try StoredEvaluation.decode(payload: payload, personalData: personalData) == evaluation)
        }
        #expect(EvaluationJSONReader.evaluation(spaced) == evaluation.withoutPersonalData)
    }
}
