import EvalCore
import Foundation
import Testing

/// Direct checks of the session that fixtures do not express well.
@Suite struct SessionTests {
    static let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB1234567X", deptName: "芒市政务服务管理局",
                                            hallCode: "H01", windowCode: "W07", defaultStaff: StaffMember(loginName: "wf", name: "王芳"))
    static let start = ShanghaiTime.parse("2026-03-02 09:00:00")!
    static let base = ContinuousClock.now

    static func moment(_ seconds: Double) -> SessionMoment<ContinuousClock.Instant> {
        SessionMoment(wall: start + seconds, instant: base.advanced(by: .milliseconds(Int64(seconds * 1000))))
    }

    @Test func anEvaluationCarriesTheWholeWindow() throws {
        var session = CounterSession<ContinuousClock.Instant>(window: Self.window)
        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P1", taskCode: "T1", taskName: "户籍")), at: Self.moment(0))
        let actions = session.press(Press(rating: .satisfied, deviceId: "1a86:e026:SN1"), at: Self.moment(30))
        guard case .emit(let evaluation) = try #require(actions.first) else { Issue.record("\(actions)"); return }
        #expect(evaluation.areaCode == "533103" && evaluation.deptCode == "11533103MB1234567X" && evaluation.deptName == "芒市政务服务管理局")
        #expect(evaluation.hallCode == "H01" && evaluation.windowCode == "W07" && evaluation.pf == .otherHallTerminal)
        #expect(evaluation.projectNo == "P1" && evaluation.taskCode == "T1" && evaluation.taskName == "户籍")
        #expect(evaluation.assessedAt == Self.start + 30 && evaluation.deviceId == "1a86:e026:SN1")
        #expect(evaluation.assessNumber == .first && evaluation.evaluationType == .active)
        #expect(evaluation.evaluatedPersons == [StaffMember(loginName: "wf", name: "王芳")])
    }

    @Test func debounceUsesTheMonotonicClockNotTheWallClock() {
        var session = CounterSession<ContinuousClock.Instant>(window: Self.window)
        let first = session.press(Press(rating: .satisfied, deviceId: "k"), at: Self.moment(0))
        #expect(first.contains { if case .emit = $0 { true } else { false } })
        // The wall clock jumps back an hour between two presses 10 ms apart: still bounce.
        var jumped = Self.moment(0.010)
        jumped.wall = Self.start - 3600
        let second = session.press(Press(rating: .satisfied, deviceId: "k"), at: jumped)
        #expect(second.contains { if case .filtered(let press) = $0 { press.reason == .bounce } else { false } })
    }

    @Test func logsNeverCarryPersonalData() {
        var session = CounterSession<ContinuousClock.Instant>(window: Self.window)
        let evaluator = Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))
        var actions = session.receive(.citizenIdentity(evaluator), at: Self.moment(0))
        actions += session.receive(.citizenIdentity(evaluator), at: Self.moment(1))
        actions += session.press(Press(rating: .veryDissatisfied, deviceId: "k"), at: Self.moment(2))
        actions += session.receive(.citizenIdentity(evaluator), at: Self.moment(3))
        actions += session.tick(at: Self.moment(4000))
        let logs = actions.compactMap { if case .log(let event) = $0 { event.message } else { nil } }
        #expect(logs.count >= 4)
        for line in logs {
            #expect(!line.contains("王") && !line.contains("533103199001011234"), "\(line)")
        }
    }

    @Test func injectedIdsAreUsed() {
        let id = EvaluationID.make(at: Self.start)
        var session = CounterSession<ContinuousClock.Instant>(window: Self.window, makeID: { _ in id })
        let actions = session.press(Press(rating: .satisfied, deviceId: "k"), at: Self.moment(0))
        #expect(actions == [.emit(Evaluation(evaluationId: id, satisfaction: .satisfied, assessedAt: Self.start, areaCode: "533103",
                                             deptCode: "11533103MB1234567X", deptName: "芒市政务服务管理局", hallCode: "H01", windowCode: "W07",
                                             deviceId: "k", evaluatedPersons: [StaffMember(loginName: "wf", name: "王芳")])),
                            .prompt(WindowPrompt(.thanks, windowCode: "W07", hallCode: "H01"))])
    }
}
