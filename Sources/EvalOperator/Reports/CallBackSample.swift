import EvalCore

/// 监督查评: a reproducible random sample of real-name evaluations for the
/// bureau's call-back survey. Pure: the candidates (real-name evaluations whose
/// identity is still kept) in, the chosen ones out. The same candidates and
/// seed give the same sample on any machine: the candidates are put in id
/// order first, then shuffled by SplitMix64.
public enum CallBackSample {
    public static func choose(_ candidates: [Evaluation], count: Int, badOnly: Bool, seed: UInt64) -> [Evaluation] {
        var pool = candidates.filter { $0.evaluator != nil && (!badOnly || $0.isBadReview) }
            .sorted { $0.evaluationId.description < $1.evaluationId.description }
        var generator = SplitMix64(seed: seed)
        pool.shuffle(using: &generator)
        return Array(pool.prefix(max(0, count))).sorted { $0.assessedAt < $1.assessedAt }
    }

    /// The seed used when none is given: the period's digits (2026-11 → 202611),
    /// so the month's sample is the same whoever draws it; printed with the sample.
    public static func defaultSeed(_ period: ReportPeriod) -> UInt64 {
        UInt64(period.from.year * 100 + period.from.month)
    }
}
