import EvalCore
import Foundation
import Testing

/// Issue 26: the national field set travels with an evaluation, the case's
/// values over the window's, and its personal part is masked and purgeable.
struct NationalFieldsTests {
    static func personal() -> NationalFields {
        var fields = NationalFields()
        fields.serviceNumber = "SN-1"
        fields.mobile = PersonalData("13800138000")
        fields.handleUserName = PersonalData("李代办")
        fields.handleUserPageCode = PersonalData("533103199001011234")
        return fields
    }

    @Test func theCaseWinsOverTheWindow() {
        var window = NationalFields()
        window.version = "2"
        window.taskType = "1"
        var ticket = NationalFields()
        ticket.taskType = "2"
        let config = WindowConfiguration(areaCode: "533103", windowCode: "W1", national: window)
        let merged = config.national(of: CaseTicket(projectNo: "P1", national: ticket))
        #expect(merged?.version == "2")
        #expect(merged?.taskType == "2")
        #expect(WindowConfiguration(areaCode: "533103", windowCode: "W1").national(of: nil) == nil)
    }

    @Test func personalFieldsAreMaskedInEveryRendering() {
        var evaluation = EvaluationTests.sample()
        evaluation.national = Self.personal()
        evaluation.writingEvaluation = PersonalData("窗口人员态度生硬")
        evaluation.evalDetail = [214]
        let renderings = ["\(evaluation)", String(reflecting: evaluation), { var s = ""; dump(evaluation, to: &s); return s }(),
                          evaluation.national!.maskedDescription]
        for text in renderings {
            for secret in ["13800138000", "李代办", "533103199001011234", "窗口人员态度生硬"] {
                #expect(!text.contains(secret), "\(secret) leaked in: \(text)")
            }
        }
        #expect("\(evaluation)".contains("evalDetail=214"))
        #expect("\(evaluation)".contains("serviceNumber=SN-1"))
    }

    @Test func withoutPersonalDataKeepsTheRest() throws {
        var evaluation = EvaluationTests.sample()
        evaluation.national = Self.personal()
        evaluation.writingEvaluation = PersonalData("很好")
        evaluation.evalDetail = [214]
        #expect(evaluation.hasPersonalData)
        let stripped = evaluation.withoutPersonalData
        #expect(!stripped.hasPersonalData)
        #expect(stripped.national?.serviceNumber == "SN-1")
        #expect(stripped.national?.mobile == nil)
        #expect(stripped.writingEvaluation == nil)
        #expect(stripped.evalDetail == [214])
        // Old stored JSON (no new keys) still decodes; new JSON round-trips.
        let decoded = try JSONDecoder().decode(Evaluation.self, from: JSONEncoder().encode(evaluation))
        #expect(decoded == evaluation)
    }

    @Test func valuesAreChecked() {
        #expect(NationalField.mobile.accepts("13800138000"))
        #expect(!NationalField.mobile.accepts("call me"))
        #expect(NationalField.applyTime.accepts("2026-03-02 09:00:00"))
        #expect(!NationalField.applyTime.accepts("2026-03-02"))
        #expect(!NationalField.version.accepts("2\n"))
        #expect(!NationalField.handleUserName.accepts(""))
    }

    @Test func aCaseQRCarriesTheFields() throws {
        let rules = try ScanRuleSet.decode(json: Data(#"""
            {"rules":[{"name":"case-json","kind":"case","json":{"fields":{"projectNo":"projectNo","serviceNumber":"serviceNumber","mobile":"mobile","applyTime":"applyTime"}}}]}
            """#.utf8))
        let payload = #"{"projectNo":"2026030200001","serviceNumber":"SN-7","mobile":"13800138000","applyTime":"2026-03-02 09:00:00"}"#
        guard case .recognized(.caseReceipt(let ticket), _) = rules.classify(payload) else {
            Issue.record("not a case: \(rules.classify(payload))")
            return
        }
        #expect(ticket.national?.serviceNumber == "SN-7")
        #expect(ticket.national?.mobile?.revealed == "13800138000")
        #expect(ticket.national?.applyTime == "2026-03-02 09:00:00")
        // A bad value refuses the scan rather than sending it.
        let bad = #"{"projectNo":"2026030200001","applyTime":"yesterday"}"#
        guard case .ignored = rules.classify(bad) else {
            Issue.record("accepted a bad applyTime")
            return
        }
    }
}
