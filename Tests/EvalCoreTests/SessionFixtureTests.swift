import EvalCore
import Foundation
import Testing

/// Runs every `Fixtures/sessions/*.session` scenario through the counter
/// session with the shipped `config/scan-rules.json`.
@Suite struct SessionFixtureTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sessions")

    static var fixtureNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".session") }.sorted()
    }

    static func shippedRules() throws -> ScanRuleSet {
        try ScanRuleSet.decode(json: Data(contentsOf: repository.appendingPathComponent("config/scan-rules.json")))
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtureNames.count >= 8)
    }

    @Test(arguments: fixtureNames)
    func scenario(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let fixture = try SessionFixture(text: text)
        #expect(!fixture.steps.isEmpty)
        let failures = fixture.run(rules: try Self.shippedRules())
        #expect(failures.isEmpty, "\(name):\n\(failures.joined(separator: "\n"))")
    }

    /// The fixture checker itself must catch a wrong expectation.
    @Test func aWrongExpectationFails() throws {
        let fixture = try SessionFixture(text: """
            window area=533103 window=W07
            day 2026-03-02
            09:00:00.000 press 5 kbd
              => emit rating=4 case=none
            09:00:10.000 press 5 kbd
            """)
        let failures = fixture.run(rules: try Self.shippedRules())
        #expect(failures.count == 2, "\(failures)")
    }
}
