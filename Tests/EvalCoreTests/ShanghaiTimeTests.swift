import EvalCore
import Foundation
import Testing

@Suite struct ShanghaiTimeTests {
    @Test func civilDateRoundTripsAcrossCenturies() {
        for days in stride(from: -50_000, through: 50_000, by: 7) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 1970, month: 1, day: 1).isoWeekday == 4)
        #expect(CivilDate(year: 2026, month: 11, day: 29).isoWeekday == 7)
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2025-02-29") == nil)
    }

    @Test func midnightUTCIsEightInTheMorning() {
        let date = Date(timeIntervalSince1970: 0)
        #expect(ShanghaiTime.format(date) == "1970-01-01 08:00:00")
        #expect(ShanghaiTime.civilDate(Date(timeIntervalSince1970: 16 * 3600)) == CivilDate(year: 1970, month: 1, day: 2))
    }

    @Test func parseRejectsNonsense() {
        #expect(ShanghaiTime.parse("2026-13-01 00:00:00") == nil)
        #expect(ShanghaiTime.parse("2026-02-30 00:00:00") == nil)
        #expect(ShanghaiTime.parse("yesterday") == nil)
        let date = ShanghaiTime.parse("2026-12-31 23:59:59")!
        #expect(ShanghaiTime.format(date) == "2026-12-31 23:59:59")
    }
}
