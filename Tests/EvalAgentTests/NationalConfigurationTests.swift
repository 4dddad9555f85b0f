import EvalCore
import EvalOperator
import Foundation
import Testing

/// Issue 26's configuration: a window's national fields and keypad reason
/// step, the API's detail window and follow-up days, the reason table.
@Suite struct NationalConfigurationTests {
    static let text = ConfigurationTests.minimal + """

    version = "2"
    data_source = "evald"
    task_type = "1"
    reason_codes_dissatisfied = ["213", "214"]
    reason_codes_very_dissatisfied = ["113"]
    reason_timeout_seconds = 15

    [api]
    detail_window_seconds = 90
    follow_up_days = 15
    """

    @Test func theKeysReachTheWindowAndTheAPI() throws {
        let check = ConfigurationLoader.parse(text: Self.text)
        #expect(check.errors.isEmpty, "\(check.errors)")
        let c = try check.get()
        let window = try #require(c.windowConfigurations.first)
        #expect(window.national?.version == "2")
        #expect(window.national?.dataSource == "evald")
        #expect(window.national?.taskType == "1")
        #expect(window.reasonStep == ReasonStep(dissatisfied: [213, 214], veryDissatisfied: [113], timeoutSeconds: 15))
        #expect(c.api.detailWindowSeconds == 90)
        #expect(c.api.followUpDays == 15)
        // The default table path is absent here: the national codes apply, 113 is 非常不满意's.
        #expect(c.reasonIssues().isEmpty, "\(c.reasonIssues())")
    }

    @Test func badValuesAreNamedWithTheirKey() throws {
        let bad = ConfigurationLoader.parse(text: ConfigurationTests.minimal + "\nversion = \"2\\n\"\nreason_codes_dissatisfied = [\"x\"]\n")
        #expect(bad.errors.contains { $0.location.contains("version") })
        #expect(bad.errors.contains { $0.location.contains("reason_codes_dissatisfied") })
        // A code of the other level passes the mapper and is caught against the table.
        let c = try ConfigurationLoader.parse(text: ConfigurationTests.minimal + "\nreason_codes_dissatisfied = [\"113\"]\n").get()
        #expect(c.reasonIssues().map(\.location) == ["[[window]] #1 reason_codes_dissatisfied"])
    }

    @Test func theShippedReasonTableIsTheNationalOne() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var c = try ConfigurationLoader.parse(text: ConfigurationTests.minimal).get()
        c.sessions.reasonCodesFile = repository.appendingPathComponent("config/reason-codes.json").path
        #expect(try c.reasonCatalog() == ReasonCatalog.national)
        c.sessions.reasonCodesFile = "/nonexistent/reason-codes.json"
        #expect(throws: (any Error).self) { try c.reasonCatalog() }
    }
}
