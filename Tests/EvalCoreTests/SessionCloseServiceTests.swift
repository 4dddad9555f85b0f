import EvalCore
import Foundation
import Testing

/// `closeService`: the business system's countdown ended or it cancelled (docs/api.md).
@Suite struct SessionCloseServiceTests {
    typealias Session = CounterSession<ContinuousClock.Instant>

    func emitted(_ actions: [SessionAction]) -> Evaluation? {
        actions.lazy.compactMap { if case .emit(let e) = $0 { e } else { nil } }.first
    }

    @Test func aClosedCaseIsNotRatedByTheNextPressAndItsIdentityIsDropped() {
        var session = Session(window: SessionTests.window)
        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P1")), at: SessionTests.moment(0))
        _ = session.receive(.citizenIdentity(Evaluator(userName: PersonalData("王小明"), certKey: PersonalData("533103199001011234"))),
                            at: SessionTests.moment(1))
        let closed = session.closeService(projectNo: "P1", reason: "countdown ended", at: SessionTests.moment(60))
        #expect(closed.allSatisfy { if case .log = $0 { true } else { false } }, "closing stores nothing: the case stays open")
        #expect(session.currentCase == nil && !session.hasPendingIdentity)
        let press = emitted(session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(61)))
        #expect(press?.projectNo == nil && press?.evaluator == nil, "an anonymous counter rating")
    }

    @Test func closingAnotherCaseLeavesTheCurrentOne() {
        var session = Session(window: SessionTests.window)
        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P2")), at: SessionTests.moment(0))
        #expect(session.closeService(projectNo: "P1", reason: "cancelled", at: SessionTests.moment(1)).isEmpty)
        #expect(session.currentCase?.projectNo == "P2")
        #expect(emitted(session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(2)))?.projectNo == "P2")
    }
}
