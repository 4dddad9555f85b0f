@testable import EvalCore
import Foundation
import Testing

@Suite struct ScanRuleTests {
    static let rules = try! SessionFixtureTests.shippedRules()

    static func scan(_ payload: String) -> Scan? {
        if case .recognized(let scan, _) = rules.classify(payload) { return scan }
        return nil
    }

    static func rejection(_ payload: String) -> ScanRejection? {
        if case .ignored(let rejection) = rules.classify(payload) { return rejection }
        return nil
    }

    @Test func shippedCaseForms() {
        #expect(Self.scan("2026030200001\r\n") == .caseReceipt(CaseTicket(projectNo: "2026030200001")))
        #expect(Self.scan("HX-2026-000123") == .caseReceipt(CaseTicket(projectNo: "HX-2026-000123")))
        #expect(Self.scan("https://zwfw.example.gov.cn/hcp?projectNo=P20260302&taskCode=T9&taskName=%E5%8A%9E%E8%AF%81")
                == .caseReceipt(CaseTicket(projectNo: "P20260302", taskCode: "T9", taskName: "办证")))
        #expect(Self.scan(#"{"projectNo":"2026030200007","taskCode":"T1","taskName":"婚姻登记"}"#)
                == .caseReceipt(CaseTicket(projectNo: "2026030200007", taskCode: "T1", taskName: "婚姻登记")))
        #expect(Self.scan(#"{"projectNo": 2026030200008}"#) == .caseReceipt(CaseTicket(projectNo: "2026030200008")))
    }

    @Test func shippedStaffAndCitizenForms() {
        #expect(Self.scan("STAFF:lisi:李四") == .staffLogin(StaffMember(loginName: "lisi", name: "李四")))
        #expect(Self.scan("STAFF:lisi") == .staffLogin(StaffMember(loginName: "lisi", name: "lisi")))
        #expect(Self.scan(#"{"type":"staff","loginName":"wf01","name":"王芳"}"#) == .staffLogin(StaffMember(loginName: "wf01", name: "王芳")))
        #expect(Self.scan("LOGOUT") == .staffLogout(loginName: nil))
        #expect(Self.scan("LOGOUT:lisi") == .staffLogout(loginName: "lisi"))
        #expect(Self.scan(#"{"type":"logout"}"#) == .staffLogout(loginName: nil))
        let company = Self.scan(#"{"type":"citizen","name":"某某科技有限公司","certKey":"91533103MA6K123456","userProp":"2"}"#)
        #expect(company == .citizenIdentity(Evaluator(userName: PersonalData("某某科技有限公司"), certKey: PersonalData("91533103MA6K123456"), userProp: .legalEntity)))
    }

    @Test func unknownMalformedAndOversizedPayloadsAreIgnored() {
        #expect(Self.rejection("")?.reason == .empty)
        #expect(Self.rejection("   \n")?.reason == .empty)
        #expect(Self.rejection(String(repeating: "1", count: 1025))?.reason == .oversized(length: 1025, limit: 1024))
        #expect(Self.rejection("2026\u{07}0302")?.reason == .controlCharacters)
        #expect(Self.rejection(#"{"projectNo": "#)?.reason == .unrecognized)
        #expect(Self.rejection("hello world")?.reason == .unrecognized)
        #expect(Self.rejection("ftp://x/?projectNo=2026030200001")?.reason == .unrecognized)
        // Matched, but a value outside the field's alphabet: never reaches the session.
        #expect(Self.rejection(#"{"projectNo":"1'); DROP TABLE ledger_cases;--"}"#)?.reason == .invalidField(rule: "case-json", field: .projectNo))
        #expect(Self.rejection("https://a.example/?projectNo=../../etc/passwd")?.reason == .invalidField(rule: "case-url", field: .projectNo))
        #expect(Self.rejection(#"{"type":"citizen","name":"王小明","certKey":"5331-0319"}"#)?.reason == .invalidField(rule: "citizen-json", field: .certKey))
        #expect(Self.rejection(#"{"taskCode":"T1"}"#)?.reason == .invalidField(rule: "case-json", field: .projectNo))
    }

    @Test func rejectionsAreMaskedForLogs() throws {
        let payload = #"{"type":"citizen","name":"王小明","certKey":"533103199001011234","userProp":9}"#
        let rejection = try #require(Self.rejection(payload))
        let text = "\(rejection)"
        #expect(!text.contains("533103199001011234"))
        #expect(!text.contains("王小明"))
        #expect(text.contains("(\(payload.count) chars)"))
    }

    @Test func ruleFilesAreValidated() {
        let twoForms = #"{"rules":[{"name":"x","kind":"case","regex":"(?<projectNo>.+)","json":{"fields":{}}}]}"#
        #expect(throws: DecodingError.self) { try ScanRuleSet.decode(json: Data(twoForms.utf8)) }
        let badRegex = #"{"rules":[{"name":"x","kind":"case","regex":"(?<projectNo>[0-9"}]}"#
        #expect(throws: DecodingError.self) { try ScanRuleSet.decode(json: Data(badRegex.utf8)) }
        let unknownKind = #"{"rules":[{"name":"x","kind":"coffee","regex":"a"}]}"#
        #expect(throws: DecodingError.self) { try ScanRuleSet.decode(json: Data(unknownKind.utf8)) }
    }

    @Test func customRulesAndHostFilter() throws {
        let json = #"""
            {"maximumPayloadLength": 64, "rules": [
              {"name":"badge","kind":"staff","regex":"YG(?<loginName>[0-9]{6})"},
              {"name":"hall-url","kind":"case","urlQuery":{"host":"hcp.example.cn","fields":{"projectNo":"bjbh"}}}
            ]}
            """#
        let rules = try ScanRuleSet.decode(json: Data(json.utf8))
        #expect(rules.classify("YG000123") == .recognized(.staffLogin(StaffMember(loginName: "000123", name: "000123")), rule: "badge"))
        #expect(rules.classify("https://hcp.example.cn/a?bjbh=B123") == .recognized(.caseReceipt(CaseTicket(projectNo: "B123")), rule: "hall-url"))
        guard case .ignored = rules.classify("https://evil.example.cn/a?bjbh=B123") else {
            Issue.record("host filter not applied"); return
        }
        guard case .ignored(let rejection) = rules.classify(String(repeating: "Y", count: 65)) else {
            Issue.record("limit not applied"); return
        }
        #expect(rejection.reason == .oversized(length: 65, limit: 64))
    }

    /// The compared control check agrees with Unicode's general category Cc
    /// on every scalar, and the trimming fast path trims what Foundation does.
    @Test func controlCharactersAndTrimmingMatchTheUnicodeDefinitions() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }  // surrogates
            if scalar.isControlCharacter != (scalar.properties.generalCategory == .control) {
                Issue.record("U+\(String(value, radix: 16, uppercase: true))")
                return
            }
        }
        for raw in ["2026030200001", " 2026030200001", "2026030200001\r\n", "\t2026030200001\t", "\u{3000}2026030200001\u{3000}",
                    "2026030200001\u{85}", "", " ", "STAFF:zhangsan:张三", "张三 "] {
            #expect(ScanRuleSet.trimmed(raw) == raw.trimmingCharacters(in: .whitespacesAndNewlines), "\(raw.debugDescription)")
        }
        #expect(Self.rejection("2026030200001\u{7F}")?.reason == .controlCharacters)
        #expect(Self.rejection("2026030200001\u{9F}")?.reason == .controlCharacters)
    }
}
