import EvalCore
import EvalTesting
import Foundation
import Testing

@Suite struct CalendarTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/calendars")

    /// The shipped year files, read here (EvalCore reads no files) and judged by `CalendarYearFiles`.
    static func shipped() -> (calendar: WorkingDayCalendar, warnings: [String]) {
        let (files, warnings) = read(directory)
        return (CalendarYearFiles.layered(shipped: files, overrides: []), warnings)
    }

    static func shippedFiles() -> [CalendarYearFile] { read(directory).files }

    static func read(_ directory: URL) -> (files: [CalendarYearFile], warnings: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var files: [CalendarYearFile] = []
        var warnings: [String] = []
        for name in names {
            let data = (try? Data(contentsOf: directory.appendingPathComponent(name))) ?? Data()
            let (file, warning) = CalendarYearFiles.yearFile(named: name, data: data)
            files += file.map { [$0] } ?? []
            warnings += warning.map { [$0] } ?? []
        }
        return (files, warnings)
    }
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func shippedCalendarsLoadCleanly() {
        let loaded = Self.shipped()
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.calendar.coveredYears == [2025, 2026])
    }

    @Test(arguments: ["2025.json", "2026.json"])
    func adjustedWorkdaysAreWeekendDaysAndHolidaysAreSound(_ name: String) throws {
        let file = try JSONDecoder().decode(CalendarYearFile.self, from: Data(contentsOf: Self.directory.appendingPathComponent(name)))
        #expect(file.problems.isEmpty)
        #expect(!file.source.isEmpty)
        for workday in file.adjustedWorkdays {
            #expect(workday.date.isoWeekday >= 6, "\(workday.date) is not a Saturday or Sunday")
        }
        // Both years have 7 festivals' worth of days off (2025: 28 days, 2026: 33 with weekends).
        let days = file.holidays.flatMap(\.days)
        #expect(Set(days).count == days.count, "overlapping holidays")
    }

    @Test func the2025ArrangementAsPublished() {
        let calendar = Self.shipped().calendar
        for holiday in ["2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-01", "2025-10-08"] {
            #expect(!calendar.isWorkingDay(Self.day(holiday)), "\(holiday)")
        }
        // 调休: a Sunday and a Saturday worked for the Spring Festival.
        #expect(Self.day("2025-01-26").isoWeekday == 7)
        #expect(calendar.isWorkingDay(Self.day("2025-01-26")))
        #expect(Self.day("2025-02-08").isoWeekday == 6)
        #expect(calendar.isWorkingDay(Self.day("2025-02-08")))
        #expect(!calendar.isWorkingDay(Self.day("2025-02-09")))
        #expect(calendar.isWorkingDay(Self.day("2025-04-27")))
        #expect(calendar.isWorkingDay(Self.day("2025-09-28")))
        #expect(calendar.isWorkingDay(Self.day("2025-10-11")))
    }

    @Test func the2026ArrangementAsPublished() {
        let calendar = Self.shipped().calendar
        for holiday in ["2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-04", "2026-06-19", "2026-09-25", "2026-10-07"] {
            #expect(!calendar.isWorkingDay(Self.day(holiday)), "\(holiday)")
        }
        for workday in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"] {
            #expect(calendar.isWorkingDay(Self.day(workday)), "\(workday)")
        }
        #expect(calendar.isWorkingDay(Self.day("2026-10-08")))
    }

    @Test func aHolidaySpanningAWeekend() {
        let calendar = Self.shipped().calendar
        // 国庆+中秋 2025: Oct 1–8 includes Sat 4 and Sun 5; Sat 11 is worked.
        let eve = Self.day("2025-09-30")
        #expect(calendar.adding(workingDays: 1, to: eve) == Self.day("2025-10-09"))
        #expect(calendar.adding(workingDays: 3, to: eve) == Self.day("2025-10-11"))
        #expect(calendar.adding(workingDays: 4, to: eve) == Self.day("2025-10-13"))
        #expect(WorkingDayCalendar.mondayToFriday.adding(workingDays: 1, to: eve) == Self.day("2025-10-01"))
    }

    @Test func theYearBoundary() {
        let calendar = Self.shipped().calendar
        // 2026-01-01..03 off, Sunday 01-04 worked: the first working day of 2026 is a Sunday.
        #expect(calendar.adding(workingDays: 1, to: Self.day("2025-12-31")) == Self.day("2026-01-04"))
        #expect(calendar.adding(workingDays: 2, to: Self.day("2025-12-31")) == Self.day("2026-01-05"))
        #expect(calendar.uncoveredYears(from: Self.day("2025-12-31"), to: Self.day("2026-01-05")).isEmpty)
    }

    @Test func aMissingYearFallsBackToMondayToFriday() {
        let calendar = Self.shipped().calendar
        #expect(!calendar.coveredYears.contains(2027))
        // 2027-01-01 is a Friday: without a file it counts as a working day.
        #expect(Self.day("2027-01-01").isoWeekday == 5)
        #expect(calendar.isWorkingDay(Self.day("2027-01-01")))
        #expect(!calendar.isWorkingDay(Self.day("2027-01-02")))
        #expect(calendar.adding(workingDays: 2, to: Self.day("2026-12-31")) == Self.day("2027-01-04"))
        #expect(calendar.uncoveredYears(from: Self.day("2026-12-31"), to: Self.day("2027-01-04")) == [2027])
    }

    /// What makes a year file, without a directory (the reading is EvalOperator's
    /// `CalendarDirectory`, tested in EvalAgentTests).
    @Test func badYearFilesAreWarnedAboutAndSkipped() throws {
        let good = try Data(contentsOf: Self.directory.appendingPathComponent("2025.json"))
        #expect(CalendarYearFiles.yearFile(named: "2025.json", data: good).file?.year == 2025)
        // Named 2027 but describes 2026.
        let misnamed = CalendarYearFiles.yearFile(named: "2027.json", data: try Data(contentsOf: Self.directory.appendingPathComponent("2026.json")))
        #expect(misnamed.file == nil && misnamed.warning?.contains("describes year 2026") == true)
        #expect(CalendarYearFiles.yearFile(named: "2028.json", data: Data("{ not json".utf8)).file == nil)
        let unsound = CalendarYearFiles.yearFile(named: "2029.json", data: Data(#"{"year":2029,"source":"x","holidays":[{"name":"a","from":"2029-02-01","to":"2029-01-01"}],"adjustedWorkdays":[]}"#.utf8))
        #expect(unsound.file == nil && unsound.warning?.contains("is after") == true)
        let large = CalendarYearFiles.yearFile(named: "2030.json", data: Data(count: CalendarYearFiles.maximumFileSize + 1))
        #expect(large.file == nil && large.warning?.contains("larger than") == true)
    }

    /// A later layer's year replaces an earlier one's; no years at all is Monday–Friday.
    @Test func layersReplaceYearByYear() throws {
        let shipped = Self.shippedFiles()
        let local2026 = try JSONDecoder().decode(CalendarYearFile.self, from: Data(#"{"year":2026,"source":"local","holidays":[{"name":"本地","from":"2026-01-05","to":"2026-01-05"}],"adjustedWorkdays":[]}"#.utf8))
        let layered = CalendarYearFiles.layered(shipped: shipped, overrides: [[local2026]])
        #expect(layered.coveredYears == [2025, 2026])
        #expect(!layered.isWorkingDay(Self.day("2026-01-05")))
        #expect(CalendarYearFiles.layered(shipped: nil, overrides: []).coveredYears.isEmpty)
    }
}
