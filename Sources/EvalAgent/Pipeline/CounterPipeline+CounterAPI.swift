import EvalCore
import EvalCounterAPI
import EvalDevices
import EvalOperator
import EvalQueue
import EvalSession
import EvalUplink
import Foundation

/// The counter API feeds the same window sessions as the scanners: opening a
/// service is a case scan for that window (after the staff login and before
/// the citizen's identity, when the business system sends them), so the case
/// ledger, "one service, one evaluation", default ratings and bad-review
/// alerts apply unchanged. The API addresses a window by its code; with the
/// same code in two halls, the first configured is meant.
extension CounterPipeline: CounterBackend {
    func check(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
        guard window(code: opening.windowCode) != nil else { return .unknownWindow }
        switch await driver.caseState(for: .caseReceipt(opening.ticket)) {
        case .unknown, .open: return .opened
        case .unavailable: return .ledgerUnavailable
        case .rated, .defaulted:
            return .alreadyRated(evaluationId: (try? driver.store.activeEvaluation(forProject: opening.ticket.projectNo))?.description)
        }
    }

    func openService(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
        guard let window = window(code: opening.windowCode) else { return .unknownWindow }
        let caseState = await driver.caseState(for: .caseReceipt(opening.ticket))
        switch caseState {
        case .unknown, .open: break
        case .unavailable: return .ledgerUnavailable
        case .rated, .defaulted:
            return .alreadyRated(evaluationId: (try? driver.store.activeEvaluation(forProject: opening.ticket.projectNo))?.description)
        }
        let actions = session(of: window, at: .now()) { session, moment in
            var actions: [SessionAction] = []
            if let staff = opening.staff { actions += session.receive(.staffLogin(staff), at: moment) }
            actions += session.receive(.caseReceipt(opening.ticket), caseState: caseState, at: moment)
            if let citizen = opening.citizen { actions += session.receive(.citizenIdentity(citizen), at: moment) }
            return actions
        }
        await perform(actions)
        return .opened
    }

    func closeService(windowCode: String, projectNo: String, because close: ServiceClose) async {
        guard let window = window(code: windowCode) else { return }
        await perform(session(of: window, at: .now()) { session, moment in
            session.closeService(projectNo: projectNo, because: close, at: moment)
        })
    }

    func logIn(windowCode: String, staff: StaffMember) async -> Bool {
        guard let window = window(code: windowCode) else { return false }
        await perform(session(of: window, at: .now()) { session, moment in session.receive(.staffLogin(staff), at: moment) })
        return true
    }

    func logOut(windowCode: String) async -> Bool {
        guard let window = window(code: windowCode) else { return false }
        await perform(session(of: window, at: .now()) { session, moment in session.receive(.staffLogout(loginName: nil), at: moment) })
        return true
    }

    func windows() async -> [WindowSnapshot] {
        settings.windows.map { window in
            // Let the end of the working day log staff out before we report them.
            var session = sessions[Self.key(window)]
            _ = session?.tick(at: SessionMoment(wall: clockWatch.date(.now()).wall, instant: BootInstant.now))
            let bound = devices.values.filter { $0.windowCode == window.windowCode }.sorted { $0.deviceId < $1.deviceId }
            return WindowSnapshot(windowCode: window.windowCode, hallCode: window.hallCode, staff: session?.loggedInStaff,
                                  devices: bound.map { WindowSnapshot.Device(deviceId: $0.deviceId, online: $0.online) })
        }
    }

    func attachDetail(evaluationId: String, evalDetail: [Int]?, writingEvaluation: PersonalData?) async -> DetailOutcome {
        guard let id = EvaluationID(evaluationId) else { return .windowClosed }
        switch try? await driver.store.attachDetail(to: id, evalDetail: evalDetail, writingEvaluation: writingEvaluation) {
        case .attached: return .attached
        case .notHeld, .notFound: return .windowClosed
        case nil: return .unavailable
        }
    }

    /// A 追评 is not a press: it bypasses the session (whose "one service,
    /// one evaluation" it must not touch) and goes to the store, which checks
    /// the case was rated, the days, and one follow-up per case, in one transaction.
    func followUp(_ rating: FollowUpRating) async -> FollowUpResult {
        guard let window = window(code: rating.windowCode) else { return .unknownWindow }
        let dated = clockWatch.date(.now())
        let evaluation = Evaluation(
            satisfaction: rating.satisfaction, evaluationType: .active, assessedAt: dated.wall, assessNumber: .followUp,
            pf: window.pf, areaCode: window.areaCode, deptCode: window.deptCode, deptName: window.deptName, hallCode: window.hallCode,
            windowCode: window.windowCode, deviceId: "counter-api", projectNo: rating.projectNo,
            taskCode: window.defaultTaskCode, taskName: window.defaultTaskName,
            evaluatedPersons: window.defaultStaff.map { [$0] } ?? [], recordedTime: dated.recorded,
            evalDetail: rating.evalDetail, writingEvaluation: rating.writingEvaluation, national: window.national)
        do {
            switch try await driver.store.enqueueFollowUp(evaluation, withinDays: rating.withinDays, badReviewPolicy: driver.badReviewPolicy) {
            case .enqueued: return .stored(evaluationId: evaluation.evaluationId.description)
            case .notRated: return .notRated
            case .alreadyFollowedUp(let id): return .alreadyFollowedUp(evaluationId: id)
            case .tooLate(let first): return .tooLate(firstRatedAt: first)
            }
        } catch {
            return .unavailable
        }
    }

    private func window(code: String) -> WindowConfiguration? {
        settings.windows.first { $0.windowCode == code }
    }
}
