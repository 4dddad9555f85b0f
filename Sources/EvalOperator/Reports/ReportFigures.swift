import EvalCore

/// The figures of one report row (or the whole report) from its rollup counts.
///
/// - rated = active ratings + default ratings (a default is an evaluation: 基本满意);
/// - 参评率 participation = active ratings ÷ served (cases opened by scan or API,
///   plus ratings of no case: a service nobody scanned);
/// - 满意率 = (非常满意 + 满意 + 基本满意, defaults included) ÷ rated, as `evalctl stats`;
/// - 差评率 = (不满意 + 非常不满意) ÷ rated; default share = defaults ÷ rated;
/// - 整改率 = rectified ÷ bad reviews not verified mistaken or malicious;
/// - 回访率 = called back ÷ real-name bad reviews needing a call-back.
/// A rate whose denominator is 0 is nil ("—"), never 0 % or 100 %.
public struct ReportFigures: Sendable, Hashable {
    public var counts: RollupRow.Counts

    public init(_ counts: RollupRow.Counts) { self.counts = counts }

    public var served: Int { counts.served }
    public var active: Int { counts.activeTotal }
    public var rated: Int { counts.activeTotal + counts.defaults }
    public var satisfied: Int { counts.active[0] + counts.active[1] + counts.active[2] + counts.defaults }
    public var badRatings: Int { counts.active[3] + counts.active[4] }
    /// Bad reviews in the rates' denominator.
    public var badCounted: Int { counts.bad - counts.mistaken - counts.malicious }

    static func ratio(_ a: Int, _ b: Int) -> Double? { b <= 0 ? nil : Double(a) / Double(b) }

    public var participation: Double? { Self.ratio(active, served) }
    public var satisfactionRate: Double? { Self.ratio(satisfied, rated) }
    public var badReviewRate: Double? { Self.ratio(badRatings, rated) }
    public var defaultShare: Double? { Self.ratio(counts.defaults, rated) }
    public var rectificationRate: Double? { Self.ratio(counts.rectified, badCounted) }
    public var callBackRate: Double? { Self.ratio(counts.calledBack, counts.callBacksNeeded) }

    /// `12.3%`, or "—" for nil.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        let tenths = (value * 1000).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
    }

    /// A change in percentage points, signed: `+1.5`, `-0.3`, `0`; "—" when either side is missing.
    public static func points(_ now: Double?, _ before: Double?) -> String {
        guard let now, let before else { return "—" }
        let tenths = ((now - before) * 1000).rounded() / 10
        if tenths == 0 { return "0" }
        let text = tenths == tenths.rounded() ? "\(Int(tenths))" : "\(tenths)"
        return tenths > 0 ? "+" + text : text
    }
}
