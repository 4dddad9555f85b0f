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
