import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// The calendar directory reading (EvalOperator): the rules for one file are
/// EvalCore's `CalendarYearFiles`, tested in EvalCoreTests.
@Suite struct CalendarDirectoryTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/calendars")

    static func shipped() -> CalendarDirectory.Loaded { CalendarDirectory.load(from: directory) }
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func shippedCalendarsLoadCleanly() {
        let loaded = Self.shipped()
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.calendar.coveredYears == [2025, 2026])
    }

    @Test func badFilesAreWarnedAboutAndSkipped() throws {
        let temporary = try TemporaryDirectory(prefix: "calendar")
        defer { temporary.remove() }
        try Data(contentsOf: Self.directory.appendingPathComponent("2025.json")).write(to: temporary.url.appendingPathComponent("2025.json"))
        // Named 2027 but describes 2026.
        try Data(contentsOf: Self.directory.appendingPathComponent("2026.json")).write(to: temporary.url.appendingPathComponent("2027.json"))
        try Data("{ not json".utf8).write(to: temporary.url.appendingPathComponent("2028.json"))
        try Data(#"{"year":2029,"source":"x","holidays":[{"name":"a","from":"2029-02-01","to":"2029-01-01"}],"adjustedWorkdays":[]}"#.utf8)
            .write(to: temporary.url.appendingPathComponent("2029.json"))
        let loaded = CalendarDirectory.load(from: temporary.url)
        #expect(loaded.calendar.coveredYears == [2025])
        #expect(loaded.warnings.count == 3, "\(loaded.warnings)")
        #expect(loaded.warnings.contains { $0.contains("2027.json") && $0.contains("describes year 2026") })
        #expect(loaded.warnings.contains { $0.contains("2029.json") && $0.contains("is after") })

        let missing = CalendarDirectory.load(from: temporary.url.appendingPathComponent("nope"))
        #expect(missing.calendar.coveredYears.isEmpty)
        #expect(missing.warnings.count == 1)
    }

    /// /etc/evald/calendars over /usr/share/evald/calendars: a local year file
    /// replaces the shipped one and adds years the package does not have.
    @Test func localCalendarsOverrideTheShippedOnesYearByYear() throws {
        let local = try TemporaryDirectory(prefix: "calendar-local")
        defer { local.remove() }
        // A local 2026 in which 2026-01-05 (a Monday) is a holiday, and a 2027 the package lacks.
        try Data(#"{"year":2026,"source":"local","holidays":[{"name":"本地","from":"2026-01-05","to":"2026-01-05"}],"adjustedWorkdays":[]}"#.utf8)
            .write(to: local.url.appendingPathComponent("2026.json"))
        try Data(#"{"year":2027,"source":"local","holidays":[],"adjustedWorkdays":[]}"#.utf8)
            .write(to: local.url.appendingPathComponent("2027.json"))
        #expect(Self.shipped().calendar.isWorkingDay(Self.day("2026-01-05")))

        let layered = CalendarDirectory.load(from: Self.directory, overrides: [local.url])
        #expect(layered.warnings.isEmpty, "\(layered.warnings)")
        #expect(layered.calendar.coveredYears == [2025, 2026, 2027])
        #expect(!layered.calendar.isWorkingDay(Self.day("2026-01-05")), "the local 2026 replaced the shipped one")
        #expect(layered.calendar.isWorkingDay(Self.day("2025-01-06")) == Self.shipped().calendar.isWorkingDay(Self.day("2025-01-06")))

        // No local directory: the shipped calendars alone, no warning.
        let none = CalendarDirectory.load(from: Self.directory, overrides: [local.url.appendingPathComponent("absent")])
        #expect(none.warnings.isEmpty)
        #expect(none.calendar.coveredYears == [2025, 2026])
    }
}
