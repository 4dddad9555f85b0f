extension Schema {
    /// When a window had no evaluator online while a case was open there, the
    /// case's row says so from the first such instant: its default rating is
    /// then "nobody could rate", not "nobody rated" (issue 25). The default
    /// evaluation carries the instant too, so the rollup (before it in
    /// `Schema.all`: its triggers read the column) counts such defaults apart
    /// and the report shows them after the records are pruned.
    static let evaluatorOffline: [Migration] = [
        Migration("serial-001-evaluator-offline", """
            ALTER TABLE ledger_cases ADD COLUMN evaluator_offline_at REAL;
            ALTER TABLE evaluations ADD COLUMN evaluator_offline_at REAL;
            """),
    ]
}
