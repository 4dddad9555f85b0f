import EvalCore

/// The bad-review follow-up gauges, read at scrape time from the ledger.
public struct FollowUpGauges: Sendable, Equatable {
    public var open: Int
    public var overdue: Int
    public var rates: RectificationRates

    public init(_ followUps: [BadReviewFollowUp], today: CivilDate) {
        open = followUps.count { $0.stage != .closed }
        overdue = followUps.count { $0.isOverdue(at: today) }
        rates = RectificationRates(followUps)
    }

    /// Prometheus samples (name, help, value); a rate with nothing counted is left out.
    var samples: [(name: String, help: String, value: String)] {
        var samples: [(name: String, help: String, value: String)] = [
            ("evald_bad_reviews_open", "Bad reviews whose follow-up is not closed.", "\(open)"),
            ("evald_bad_reviews_overdue", "Bad reviews past their rectification deadline and not rectified.", "\(overdue)"),
        ]
        if let rate = rates.rectificationRate {
            samples.append(("evald_bad_review_rectification_ratio", "整改率: rectified / counted bad reviews (0..1).", "\(rate)"))
        }
        if let rate = rates.callBackRate {
            samples.append(("evald_bad_review_call_back_ratio", "回访率: called back / real-name counted bad reviews (0..1).", "\(rate)"))
        }
        return samples
    }
}
