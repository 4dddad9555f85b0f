import EvalCore
import Testing

/// Issue 24, item 2: personal data is never a case. The session fixture
/// `personal-data-is-never-a-case.session` shows the refusal through the
/// shipped rules; these pin the recogniser's edges.
@Suite struct PersonalDataPatternTests {
    @Test(arguments: [
        ("533103197707073450", PersonalDataPattern.residentID),
        ("53310319850202123x", .residentID),
        ("533103850202123", .residentID),
        ("13812345678", .mobile),
        ("+86 138 1234 5678", .mobile),
        ("008613812345678", .mobile),
        ("TEL:13812345678", .mobile),
        ("6222021234567890128", .bankCard),
        ("4111-1111-1111-1111", .bankCard),
    ])
    func recognised(_ text: String, _ kind: PersonalDataPattern) {
        #expect(PersonalDataPattern.match(text) == kind)
    }

    @Test(arguments: [
        "533103197707073451",   // wrong check digit
        "993103197707073450",   // no such province
        "533103851302123",      // 15 digits, month 13
        "12812345678",          // no mobile starts 12
        "6222021234567890123",  // Luhn fails
        // Date-stamped case numbers that pass a check by chance: 20… is no
        // province and no card issuer, so they stay cases.
        "2026030200000000003",
        "202603020000000000",
        "2026030200003",
        "MS-2026-1204-000001",
        "",
    ])
    func notPersonal(_ text: String) {
        #expect(PersonalDataPattern.match(text) == nil)
    }

    @Test func aRefusalShowsNothingOfThePayload() {
        let rules = ScanRuleSet(rules: [try! ScanRule(name: "anything", kind: .caseReceipt, form: .regex(pattern: "(?<projectNo>.+)"))])
        guard case .ignored(let rejection) = rules.classify("533103197707073450") else {
            Issue.record("an ID number was classified")
            return
        }
        #expect(rejection.label == "personal-data")
        #expect(!rejection.description.contains("5331"))
        #expect(rejection.description.contains("(18 chars)"))
    }
}
