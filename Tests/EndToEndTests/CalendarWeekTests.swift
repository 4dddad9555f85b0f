import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 10, item 6: the real daemon lives through the 2026 National Day
/// holiday under libfaketime, the platform simulator on the same shared
/// clock, and the kernel vouching for evald's faked clock (a preloaded
/// adjtimex that reports it synchronised).
///
/// What libfaketime 0.9.10 cannot do, and so what this test avoids: a timer
/// armed with an absolute deadline (Swift's sleeps, the simulator's `Date`
/// cache refresh) is converted with the offset and fires weeks late or at
/// once. So nothing here waits on one of evald's timers: each clock move is
/// followed by a case scan, which wakes the default pass as it does in the
/// hall; real clock sets wake it through timerfd (WallClockSetWatcherTests).
/// The simulator's stale `Date` header is outvoted by the kernel's word.
///
/// By hand, from the shipped config/calendars/2026.json: a case opened on
/// Wednesday 2026-09-30 counts its 5 working days as 10-08 (Thu), 10-09
/// (Fri), 10-10 (the make-up Saturday), 10-12 (Mon) and 10-13 (Tue), so
/// its default 基本满意 is due at the start of 2026-10-14 (Shanghai); a bad
/// review given that Wednesday must be rectified by 2026-10-27 (15 working
/// days over the same holiday).
@Suite("a week of calendar under libfaketime", .serialized)
struct CalendarWeekTests {
    static func shanghai(_ text: String) -> Date { ShanghaiTime.parse(text)! }

    @Test(.enabled(if: Faketime.library != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func aCaseOpenedBeforeNationalDayGetsOneDefaultOnTheRightWorkingDay() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = try Faketime.SharedClock(path: dir.path("faketime"), library: Faketime.library!,
                                             start: Self.shanghai("2026-09-30 10:00:00"), kernelSynchronized: true)
        let store = dir.path("platform.jsonl")
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret", arguments: ["--store", store],
                                                           environment: try Faketime.SharedClock(path: clock.path, library: clock.library,
                                                                                                 start: Self.shanghai("2026-09-30 10:00:00")).environment)
        defer { sim.stop() }
        func move(to time: String) throws { try clock.set(Self.shanghai(time)) }
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.metricsPort = freeLoopbackPort()
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath],
                                      environment: clock.environment, directory: config.directory)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(60)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" },
                "stderr:\n\(daemon.stderr)")
        try await keypad.connect(timeout: .seconds(10))

        // Wednesday: case 1 is served and never rated; case 2 gets a bad review.
        keypad.scan("MS-2026-0930-000001")
        keypad.scan("MS-2026-0930-000002")
        keypad.press(1)
        #expect(await eventually(timeout: .seconds(60)) { ((try? await sim.stats().unique) ?? 0) == 1 }, "stderr:\n\(daemon.stderr)")
        let reviews = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"),
                                                 arguments: ["bad-reviews", "--json", "--config", config.configPath], directory: config.directory)
        #expect(reviews.stdout.contains("2026-10-27"), "rectification deadline across the holiday: \(reviews.stdout)\(reviews.stderr)")

        // Ten seconds before the default is due; the scan wakes the default pass.
        try move(to: "2026-10-13 23:59:50")
        keypad.scan("MS-2026-1013-000003")
        #expect(await eventually(timeout: .seconds(60)) {
            daemon.stderr.contains("default ratings: pass at 2026-10-13 23:59")
        }, "stderr:\n\(daemon.stderr)")
        #expect(daemon.stderr.contains("next due 2026-10-14 00:00:00"), "stderr:\n\(daemon.stderr)")
        #expect(try await sim.stats().unique == 1, "no default before its day")

        // The start of Wednesday 2026-10-14: the default is made, once, dated its due time.
        try move(to: "2026-10-14 00:00:05")
        keypad.scan("MS-2026-1014-000004")
        #expect(await eventually(timeout: .seconds(60)) { ((try? await sim.stats().unique) ?? 0) == 2 }, "stderr:\n\(daemon.stderr)")
        let records = ((try? String(contentsOfFile: store, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let defaults = records.filter { $0["projectNo"] as? String == "MS-2026-0930-000001" }
        #expect(defaults.count == 1, "\(records)")
        #expect(defaults.first?["assessTime"] as? String == "2026-10-14 00:00:00", "\(defaults)")
        #expect(defaults.first?["evaluationType"] as? Int == EvaluationType.defaulted.rawValue, "\(defaults)")
        #expect(records.count == 2, "only case 1 is due: \(records)")

        // SIGTERM ends it within systemd's stop timeout (TimeoutStopSec=30s), even
        // here: cleanly, or by the stop deadline if a timer never fires.
        keypad.close()
        daemon.send(SIGTERM)
        let status = try await daemon.waitForExit(timeout: .seconds(30))
        #expect(status == 0 || (status == 70 && daemon.stderr.contains("stop deadline")), "status \(status); stderr:\n\(daemon.stderr)")
    }
}
