/// The queue database's schema: every migration, in order.
///
/// The queue's own tables come first; other stores sharing the same file (the
/// case ledger of the counter sessions, filtered presses) append theirs in
/// files named `Schema+<Store>.swift`, listed here once.
public enum Schema {
    public static var all: [Migration] {
        queue + typedEvaluations + caseLedger + rectification + audit + nationalFields + badReviewReasons + followUpRatings + evaluatorOffline + rollup
    }

    /// The outbox tables. Append-only: never edit a shipped migration, add one.
    static let queue: [Migration] = [
        Migration("0001_create_evaluations", """
            CREATE TABLE evaluations (
                -- Enqueue order: FIFO within a priority class.
                seq              INTEGER PRIMARY KEY,
                evaluation_id    TEXT    NOT NULL UNIQUE CHECK (length(evaluation_id) = 36),
                state            TEXT    NOT NULL,
                rating           INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                is_bad           INTEGER NOT NULL CHECK (is_bad IN (0, 1) AND is_bad = (rating <= 2)),
                evaluation_type  INTEGER NOT NULL CHECK (evaluation_type IN (1, 2)),
                window_code      TEXT    NOT NULL,
                project_no       TEXT,
                assessed_at      REAL    NOT NULL,
                -- The evaluation as JSON, without the evaluator's identity.
                payload          TEXT    NOT NULL,
                payload_bytes    INTEGER NOT NULL CHECK (payload_bytes > 0),
                -- The evaluator (JSON), only for real-name ratings; purged after
                -- delivery + the personal-data retention.
                personal_data    TEXT,
                personal_data_purged_at REAL,
                attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                last_error       TEXT,
                last_error_at    REAL,
                next_attempt_at  REAL    NOT NULL,
                enqueued_at      REAL    NOT NULL,
                claimed_at       REAL,
                delivered_at     REAL,
                rejected_at      REAL,
                rejected_reason  TEXT,
                -- What each state implies, in one CASE: an unknown state fails, only an
                -- inflight row has claimed_at, only a delivered one delivered_at, only a
                -- dead letter its reason. (One CASE costs a third of separate CHECKs per insert.)
                CHECK (CASE state
                    WHEN 'pending'   THEN claimed_at IS NULL     AND delivered_at IS NULL     AND rejected_reason IS NULL
                    WHEN 'inflight'  THEN claimed_at IS NOT NULL AND delivered_at IS NULL     AND rejected_reason IS NULL
                    WHEN 'delivered' THEN claimed_at IS NULL     AND delivered_at IS NOT NULL AND rejected_reason IS NULL
                    WHEN 'rejected'  THEN claimed_at IS NULL     AND delivered_at IS NULL
                                          AND rejected_reason IS NOT NULL AND rejected_at IS NOT NULL
                    ELSE 0 END)
            ) STRICT;
            -- Claim order: bad reviews first, then enqueue order; only pending rows.
            CREATE INDEX evaluations_claim ON evaluations (is_bad DESC, seq) WHERE state = 'pending';
            CREATE INDEX evaluations_due ON evaluations (next_attempt_at) WHERE state = 'pending';
            -- Audit retention and personal-data purge walk delivered rows by age.
            CREATE INDEX evaluations_delivered ON evaluations (delivered_at) WHERE state = 'delivered';
            CREATE INDEX evaluations_errors ON evaluations (last_error_at) WHERE last_error_at IS NOT NULL;
            -- "Is a rating of this case already queued?" (the sessions' default-rating pass).
            CREATE INDEX evaluations_project ON evaluations (project_no) WHERE project_no IS NOT NULL;
            """),
    ]
}
