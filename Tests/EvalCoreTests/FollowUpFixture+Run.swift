import EvalCore

extension FollowUpFixture {
    /// Plays the lines in order; returns one message per mismatch.
    func run() -> [String] {
        var followUps: [String: BadReviewFollowUp] = [:]
        var order: [String] = []
        var calendars: [String: WorkingDayCalendar] = [:]
        var lastDay: [String: CivilDate] = [:]
        // The outcome of the last step, for a following `=> error`.
        var lastError: (line: Int, error: FollowUpError?)?
        var failures: [String] = []

        for line in lines {
            func fail(_ message: String) { failures.append("line \(line.number): \(message)") }
            if case .expectError = line.command {} else if let pending = lastError, let error = pending.error {
                failures.append("line \(pending.line): unexpected \(error)")
            }
            switch line.command {
            case .review(let id, let review, let calendar):
                followUps[id] = BadReviewFollowUp(review, calendar: calendar)
                calendars[id] = calendar
                lastDay[id] = review.ratedOn
                order.append(id)
                lastError = nil
            case .step(let id, let step):
                guard var followUp = followUps[id] else { fail("no review \(id)"); continue }
                do {
                    try followUp.apply(step)
                    followUps[id] = followUp
                    lastDay[id] = step.day
                    lastError = (line.number, nil)
                } catch {
                    lastError = (line.number, error)
                }
            case .expectError(_, let name):
                switch lastError?.error {
                case .some(let error) where error.name == name: break
                case .some(let error): fail("expected error \(name), got \(error)")
                case .none: fail("expected error \(name), the step was accepted")
                }
                lastError = nil
            case .check(let id, let day, let expected):
                guard let followUp = followUps[id], let calendar = calendars[id], let on = day ?? lastDay[id] else { fail("no review \(id)"); continue }
                let actual = Self.render(followUp, on: on, calendar: calendar)
                for (key, value) in expected.sorted(by: { $0.key < $1.key }) where actual[key] != value {
                    fail("\(id) \(key) expected \(value), got \(actual[key] ?? "(no such key)")")
                }
            case .rates(let expected):
                let rates = RectificationRates(order.compactMap { followUps[$0] })
                let actual = [
                    "rectification": rates.counted == 0 ? "none" : "\(rates.rectified)/\(rates.counted)",
                    "callback": rates.realName == 0 ? "none" : "\(rates.calledBack)/\(rates.realName)",
                ]
                for (key, value) in expected.sorted(by: { $0.key < $1.key }) where actual[key] != value {
                    fail("rates \(key) expected \(value), got \(actual[key] ?? "(no such key)")")
                }
            }
        }
        if let pending = lastError, let error = pending.error { failures.append("line \(pending.line): unexpected \(error)") }
        return failures
    }

    /// A follow-up's state on `day` as the key=value fields expectations are written in.
    static func render(_ followUp: BadReviewFollowUp, on day: CivilDate, calendar: WorkingDayCalendar) -> [String: String] {
        let callBack: String
        if !followUp.callBackNeeded { callBack = "none" }
        else if followUp.callBackDone { callBack = "done" }
        else if followUp.callBackRetryNeeded { callBack = "retry" }
        else { callBack = "needed" }
        return [
            "stage": followUp.stage.rawValue,
            "deadline": followUp.deadline.description,
            "rectified": followUp.rectifiedOn?.description ?? "no",
            "overdue": followUp.isOverdue(at: day) ? "yes" : "no",
            "left": followUp.workingDaysLeft(at: day, calendar: calendar).map(String.init) ?? "none",
            "callback": callBack,
            "identity": followUp.identityNeeded ? "needed" : "purge",
            "counted": followUp.countsInRates ? "yes" : "no",
        ]
    }
}
