/// Tables of the counter sessions' case ledger, in the queue's database file.
///
/// The ledger holds no evaluator identity except the name and certificate
/// number of a real-name bad review, which the call-back (回访) needs; they are
/// purged once the call-back is done or none is needed (`FollowUpStore`).
extension Schema {
    static let caseLedger: [Migration] = [
        Migration("ledger-001-cases", """
            CREATE TABLE ledger_cases (
                project_no     TEXT PRIMARY KEY NOT NULL,
                window_code    TEXT NOT NULL,
                opening        TEXT NOT NULL,            -- CaseOpening as JSON; no identity
                opened_at      REAL NOT NULL,
                due_at         REAL NOT NULL,            -- when the default rating applies (UTC seconds)
                last_day       TEXT NOT NULL,            -- last working day to rate, yyyy-MM-dd
                state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'rated', 'defaulted')),
                evaluation_id  TEXT UNIQUE,
                settled_at     REAL,
                default_evaluation TEXT,                 -- the default evaluation as JSON, until enqueued
                default_enqueued INTEGER NOT NULL DEFAULT 0 CHECK (default_enqueued IN (0, 1)),
                CHECK ((state = 'open') = (evaluation_id IS NULL)),
                CHECK (state = 'defaulted' OR default_evaluation IS NULL)
            ) STRICT;
            CREATE INDEX ledger_cases_open_due ON ledger_cases(due_at) WHERE state = 'open';
            CREATE INDEX ledger_cases_unconfirmed ON ledger_cases(settled_at) WHERE state = 'defaulted' AND default_enqueued = 0;
            """),
        Migration("ledger-002-filtered-presses", """
            CREATE TABLE filtered_presses (
                id           INTEGER PRIMARY KEY,
                window_code  TEXT NOT NULL,
                device_id    TEXT NOT NULL,
                rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                reason       TEXT NOT NULL CHECK (reason IN ('bounce', 'repeat', 'tooFast')),
                pressed_at   REAL NOT NULL,
                project_no   TEXT,
                had_identity INTEGER NOT NULL CHECK (had_identity IN (0, 1))
            ) STRICT;
            CREATE INDEX filtered_presses_time ON filtered_presses(pressed_at);
            """),
        Migration("ledger-003-bad-reviews", """
            CREATE TABLE bad_reviews (
                evaluation_id    TEXT PRIMARY KEY NOT NULL,
                rating           INTEGER NOT NULL CHECK (rating IN (1, 2)),
                assessed_at      REAL NOT NULL,
                hall_code        TEXT,
                window_code      TEXT NOT NULL,
                staff_login      TEXT,                   -- first staff member, for filtering
                staff            TEXT NOT NULL,          -- [StaffMember] as JSON
                project_no       TEXT,
                deadline         TEXT NOT NULL,          -- last day of rectification, yyyy-MM-dd
                call_back_needed INTEGER NOT NULL CHECK (call_back_needed IN (0, 1)),
                evaluator_name   TEXT,                   -- only while a call-back may need it
                evaluator_cert   TEXT,
                CHECK (call_back_needed = 1 OR (evaluator_name IS NULL AND evaluator_cert IS NULL))
            ) STRICT;
            CREATE INDEX bad_reviews_time ON bad_reviews(assessed_at);
            """),
        // Fail-closed presses (the store could not say whether the case was rated)
        // are kept like the others: the reason CHECK grows, so the table is rebuilt.
        Migration("ledger-004-filtered-ledger-unavailable", """
            CREATE TABLE filtered_presses_v2 (
                id           INTEGER PRIMARY KEY,
                window_code  TEXT NOT NULL,
                device_id    TEXT NOT NULL,
                rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                reason       TEXT NOT NULL CHECK (reason IN ('bounce', 'repeat', 'tooFast', 'ledger-unavailable')),
                pressed_at   REAL NOT NULL,
                project_no   TEXT,
                had_identity INTEGER NOT NULL CHECK (had_identity IN (0, 1))
            ) STRICT;
            INSERT INTO filtered_presses_v2 (id, window_code, device_id, rating, reason, pressed_at, project_no, had_identity)
                SELECT id, window_code, device_id, rating, reason, pressed_at, project_no, had_identity FROM filtered_presses;
            DROP TABLE filtered_presses;
            ALTER TABLE filtered_presses_v2 RENAME TO filtered_presses;
            CREATE INDEX filtered_presses_time ON filtered_presses(pressed_at);
            """),
    ]
}
