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
        let closed = session.closeService(projectNo: "P1", because: .countdownEnded, at: SessionTests.moment(60))
        #expect(closed.allSatisfy { if case .log = $0 { true } else if case .prompt = $0 { true } else { false } },
                "closing stores nothing: the case stays open")
        #expect(session.currentCase == nil && !session.hasPendingIdentity)
        let press = emitted(session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(61)))
        #expect(press?.projectNo == nil && press?.evaluator == nil, "an anonymous counter rating")
    }

    @Test func closingAnotherCaseLeavesTheCurrentOne() {
        var session = Session(window: SessionTests.window)
        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P2")), at: SessionTests.moment(0))
        #expect(session.closeService(projectNo: "P1", because: .cancelled, at: SessionTests.moment(1)).isEmpty)
        #expect(session.currentCase?.projectNo == "P2")
        #expect(emitted(session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(2)))?.projectNo == "P2")
    }

    func prompts(_ actions: [SessionAction]) -> [CounterPrompt] {
        actions.compactMap { if case .prompt(let p) = $0 { p.prompt } else { nil } }
    }

    /// The evaluator is told when to invite, thank and give up (issue 11, item 4).
    @Test func aServiceInvitesThanksAndTimesOut() {
        var session = Session(window: SessionTests.window)
        let opened = session.receive(.caseReceipt(CaseTicket(projectNo: "P1")), at: SessionTests.moment(0))
        #expect(prompts(opened) == [.invite])
        #expect(opened.contains(.prompt(WindowPrompt(.invite, windowCode: "W07", hallCode: "H01"))))
        #expect(prompts(session.receive(.caseReceipt(CaseTicket(projectNo: "P1")), at: SessionTests.moment(1))).isEmpty,
                "a re-scan of the current case does not invite again")
        let rated = session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(2))
        #expect(prompts(rated) == [.thanks])
        if let emit = rated.firstIndex(where: { if case .emit = $0 { true } else { false } }),
           let thanks = rated.firstIndex(where: { if case .prompt = $0 { true } else { false } }) {
            #expect(emit < thanks, "thanks follows its rating")
        } else {
            Issue.record("expected an emit and a thanks: \(rated)")
        }
        #expect(prompts(session.press(Press(rating: .satisfied, deviceId: "k"), at: SessionTests.moment(9))).isEmpty,
                "a repeated press is filtered and not thanked")

        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P2")), at: SessionTests.moment(20))
        #expect(prompts(session.closeService(projectNo: "P2", because: .countdownEnded, at: SessionTests.moment(80))) == [.timeout])
        _ = session.receive(.caseReceipt(CaseTicket(projectNo: "P3")), at: SessionTests.moment(90))
        #expect(prompts(session.closeService(projectNo: "P3", because: .cancelled, at: SessionTests.moment(91))).isEmpty,
                "a cancelled service shows nothing")
    }

    @Test func aCaseAlreadyRatedDoesNotInvite() {
        var session = Session(window: SessionTests.window)
        #expect(prompts(session.receive(.caseReceipt(CaseTicket(projectNo: "P1")), caseState: .rated, at: SessionTests.moment(0))).isEmpty)
        #expect(prompts(session.receive(.caseReceipt(CaseTicket(projectNo: "P2")), caseState: .unavailable, at: SessionTests.moment(1))).isEmpty)
        #expect(prompts(session.receive(.caseReceipt(CaseTicket(projectNo: "P3")), caseState: .open, at: SessionTests.moment(2))) == [.invite])
    }
}
