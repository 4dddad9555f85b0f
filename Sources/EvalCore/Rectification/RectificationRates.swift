/// 整改率 and 回访率 over a set of follow-ups (the plan asks for 100 % of both).
///
/// Mistaken and malicious reviews leave both denominators. A rate with an
/// empty denominator is nil (nothing was due), not 100 %.
public struct RectificationRates: Sendable, Hashable {
    /// Reviews in the denominator (not verified as mistaken or malicious).
    public var counted = 0
    public var rectified = 0
    /// Real-name reviews in the denominator.
    public var realName = 0
    public var calledBack = 0

    public init(_ followUps: some Sequence<BadReviewFollowUp>) {
        for followUp in followUps where followUp.countsInRates {
            counted += 1
            if followUp.isRectified { rectified += 1 }
            if followUp.review.realName {
                realName += 1
                if followUp.callBackDone { calledBack += 1 }
            }
        }
    }

    /// 整改率: rectified / counted, 0…1.
    public var rectificationRate: Double? { counted == 0 ? nil : Double(rectified) / Double(counted) }

    /// 回访率: called back / real-name, 0…1.
    public var callBackRate: Double? { realName == 0 ? nil : Double(calledBack) / Double(realName) }
}
