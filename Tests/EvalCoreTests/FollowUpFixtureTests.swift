import EvalCore
import Foundation
import Testing

/// Runs every `Fixtures/follow-ups/*.followup` scenario through the pure
/// follow-up model with the shipped `config/calendars`.
@Suite struct FollowUpFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/follow-ups")

    static var fixtureNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".followup") }.sorted()
    }

    static func shippedCalendar() -> WorkingDayCalendar {
        CalendarTests.shipped().calendar
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtureNames.count >= 4)
    }

    @Test(arguments: fixtureNames)
    func scenario(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let fixture = try FollowUpFixture(text: text, shipped: Self.shippedCalendar())
        #expect(!fixture.lines.isEmpty)
        let failures = fixture.run()
        #expect(failures.isEmpty, "\(name):\n\(failures.joined(separator: "\n"))")
    }

    /// The fixture checker itself must catch wrong expectations and an unexpected refusal.
    @Test func wrongExpectationsFail() throws {
        let fixture = try FollowUpFixture(text: """
            review R1 2026-03-02
              => deadline=2026-03-20 stage=open
            on 2026-03-03 R1 rectify by=x 措施
            on 2026-03-03 R1 verify valid by=x 属实
              => error notAllowed
            rates rectification=1/1
            """, shipped: .mondayToFriday)
        let failures = fixture.run()
        #expect(failures.count == 4, "\(failures)")
    }
}
