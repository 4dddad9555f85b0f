/// The rectification and call-back ledger (差评整改回访台账): every operator
/// step of a bad review's follow-up, append-only, beside its `bad_reviews` row.
///
/// One row per step; the review's state is the fold of its rows
/// (`BadReviewFollowUp`). Each kind's columns are enforced by one CHECK, and
/// a trigger refuses updates: a step is never edited, a correction is a new step.
extension Schema {
    static let rectification: [Migration] = [
        Migration("ledger-101-bad-review-steps", """
            CREATE TABLE bad_review_steps (
                evaluation_id TEXT NOT NULL REFERENCES bad_reviews(evaluation_id),
                seq           INTEGER NOT NULL CHECK (seq >= 1),
                kind          TEXT NOT NULL,
                at            TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),  -- the step's day
                recorded_at   REAL NOT NULL,            -- when the operator recorded it (UTC seconds)
                by            TEXT NOT NULL CHECK (length(trim(by)) > 0),
                verification  TEXT CHECK (verification IN ('valid', 'mistaken', 'malicious')),
                new_deadline  TEXT CHECK (new_deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                result        TEXT CHECK (result IN ('satisfied', 'notSatisfied', 'unreachable')),
                text          TEXT NOT NULL CHECK (length(trim(text)) > 0),  -- reason, measures, explanation or note
                PRIMARY KEY (evaluation_id, seq),
                CHECK (CASE kind
                    WHEN 'verify'    THEN verification IS NOT NULL AND new_deadline IS NULL     AND result IS NULL
                    WHEN 'rectify'   THEN verification IS NULL     AND new_deadline IS NULL     AND result IS NULL
                    WHEN 'extend'    THEN verification IS NULL     AND new_deadline IS NOT NULL AND result IS NULL
                    WHEN 'feedback'  THEN verification IS NULL     AND new_deadline IS NULL     AND result IS NULL
                    WHEN 'call-back' THEN verification IS NULL     AND new_deadline IS NULL     AND result IS NOT NULL
                    ELSE 0 END)
            ) STRICT, WITHOUT ROWID;
            CREATE TRIGGER bad_review_steps_append_only BEFORE UPDATE ON bad_review_steps
            BEGIN SELECT RAISE(ABORT, 'bad_review_steps is append-only'); END;
            """),
        // The deadline alerts given, so that a restart does not give them twice;
        // an extension's new deadline is a new key, alerted again.
        Migration("ledger-102-deadline-alerts", """
            CREATE TABLE deadline_alerts (
                evaluation_id TEXT NOT NULL REFERENCES bad_reviews(evaluation_id),
                kind          TEXT NOT NULL CHECK (kind IN ('rectification-deadline-near', 'rectification-deadline-passed')),
                deadline      TEXT NOT NULL CHECK (deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                given_at      REAL NOT NULL,
                PRIMARY KEY (evaluation_id, kind, deadline)
            ) STRICT, WITHOUT ROWID;
            """),
    ]
}
