extension Schema {
    /// The reasons and the national field set (issue 26) as typed columns of
    /// `evaluations`, every one NULL when not set. Added in place (ALTER TABLE
    /// ADD COLUMN rewrites no row), so a queue of any size migrates at once.
    ///
    /// Personal data (`writing_evaluation`, `handle_user_*`, `mobile`) is
    /// purged with the evaluator's identity (`purgePersonalData`).
    static let nationalFields: [Migration] = [
        Migration("fields-001-reasons-and-national-fields", """
            -- Reason codes as the platform's evalDetail: "213,214".
            ALTER TABLE evaluations ADD COLUMN eval_detail TEXT
                CHECK (eval_detail IS NULL OR (length(eval_detail) BETWEEN 3 AND 40 AND eval_detail NOT GLOB '*[^0-9,]*'));
            ALTER TABLE evaluations ADD COLUMN writing_evaluation TEXT;
            ALTER TABLE evaluations ADD COLUMN version TEXT;
            ALTER TABLE evaluations ADD COLUMN evaversion TEXT;
            ALTER TABLE evaluations ADD COLUMN service_number TEXT;
            ALTER TABLE evaluations ADD COLUMN task_type TEXT;
            ALTER TABLE evaluations ADD COLUMN promisetime TEXT;
            ALTER TABLE evaluations ADD COLUMN handle_user_name TEXT;
            ALTER TABLE evaluations ADD COLUMN handle_user_page_type TEXT;
            ALTER TABLE evaluations ADD COLUMN handle_user_page_code TEXT;
            ALTER TABLE evaluations ADD COLUMN user_page_type TEXT;
            ALTER TABLE evaluations ADD COLUMN mobile TEXT;
            ALTER TABLE evaluations ADD COLUMN apply_time TEXT;
            ALTER TABLE evaluations ADD COLUMN data_source TEXT;
            """),
    ]
}

extension Schema {
    /// The bad review's reasons in its 台账 row: what the unit has to rectify,
    /// kept as long as the row (the evaluation itself is pruned after delivery).
    static let badReviewReasons: [Migration] = [
        Migration("fields-002-bad-review-reasons", """
            ALTER TABLE bad_reviews ADD COLUMN eval_detail TEXT
                CHECK (eval_detail IS NULL OR (length(eval_detail) BETWEEN 3 AND 40 AND eval_detail NOT GLOB '*[^0-9,]*'));
            """),
    ]
}

extension Schema {
    /// 追评: one follow-up rating per case, kept for good (the evaluation
    /// itself is pruned after delivery), so a case never takes a second one.
    static let followUpRatings: [Migration] = [
        Migration("fields-003-follow-up-ratings", """
            CREATE TABLE follow_up_ratings (
                project_no    TEXT PRIMARY KEY NOT NULL,
                evaluation_id TEXT NOT NULL UNIQUE CHECK (length(evaluation_id) = 36),
                accepted_at   REAL NOT NULL
            ) STRICT, WITHOUT ROWID;
            """),
    ]
}
