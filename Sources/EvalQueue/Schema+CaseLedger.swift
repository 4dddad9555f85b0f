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
        // The opening's fields as typed columns instead of JSON (issue 9): a case
        // scan was JSON-encoded on the writer thread, half its cost there. The
        // table becomes WITHOUT ROWID on its key (one B-tree, not a table plus
        // the key's index), and evaluation_id loses its UNIQUE index: every
        // rating paid an index insert for a lookup only the legacy default
        // confirmation makes, now through `ledger_cases_unconfirmed`.
        //
        // Which query uses which index:
        // - the key (project_no): a scan's case state, opening (the conflict),
        //   rating and defaulting;
        // - `ledger_cases_open_due` (open, by due_at): the default pass's due
        //   cases and the next due instant;
        // - `ledger_cases_unconfirmed`: an older agent's unconfirmed defaults.
        //
        // Old rows are converted with json_extract. An opening the old code
        // could not read either (its default pass failed on it every time) is
        // kept with what the row's own columns say; its default then carries no
        // area code and the platform refuses it, a dead letter the operator sees.
        Migration("ledger-005-typed-case-openings", """
            CREATE TABLE ledger_cases_typed (
                project_no     TEXT PRIMARY KEY NOT NULL,
                task_code      TEXT,
                task_name      TEXT,
                area_code      TEXT NOT NULL,
                dept_code      TEXT,
                dept_name      TEXT,
                hall_code      TEXT,
                window_code    TEXT NOT NULL,
                default_staff_login TEXT,                -- the window's default staff member: both or neither
                default_staff_name  TEXT,
                default_task_code   TEXT,
                default_task_name   TEXT,
                pf             INTEGER NOT NULL,
                staff          TEXT NOT NULL,            -- [{"loginName":…,"name":…}], read whole
                device_id      TEXT,
                opened_at      REAL NOT NULL,
                due_at         REAL NOT NULL,            -- when the default rating applies (UTC seconds)
                last_day       TEXT NOT NULL,            -- last working day to rate, yyyy-MM-dd
                state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'rated', 'defaulted')),
                evaluation_id  TEXT,
                settled_at     REAL,
                default_evaluation TEXT,                 -- the default evaluation as JSON, until enqueued (older agents)
                default_enqueued INTEGER NOT NULL DEFAULT 0 CHECK (default_enqueued IN (0, 1)),
                CHECK ((default_staff_login IS NULL) = (default_staff_name IS NULL)),
                CHECK ((state = 'open') = (evaluation_id IS NULL)),
                CHECK (state = 'defaulted' OR default_evaluation IS NULL)
            ) STRICT, WITHOUT ROWID;

            INSERT INTO ledger_cases_typed (
                project_no, task_code, task_name, area_code, dept_code, dept_name, hall_code, window_code,
                default_staff_login, default_staff_name, default_task_code, default_task_name, pf, staff, device_id,
                opened_at, due_at, last_day, state, evaluation_id, settled_at, default_evaluation, default_enqueued)
            SELECT project_no,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.ticket.taskCode') END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.ticket.taskName') END,
                CASE WHEN json_valid(opening) AND json_type(opening, '$.window.areaCode') = 'text'
                     THEN json_extract(opening, '$.window.areaCode') ELSE '' END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.window.deptCode') END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.window.deptName') END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.window.hallCode') END,
                window_code,
                CASE WHEN json_valid(opening) AND json_type(opening, '$.window.defaultStaff.name') = 'text'
                     THEN json_extract(opening, '$.window.defaultStaff.loginName') END,
                CASE WHEN json_valid(opening) AND json_type(opening, '$.window.defaultStaff.loginName') = 'text'
                     THEN json_extract(opening, '$.window.defaultStaff.name') END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.window.defaultTaskCode') END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.window.defaultTaskName') END,
                CASE WHEN json_valid(opening) AND json_type(opening, '$.window.pf') = 'integer'
                     THEN json_extract(opening, '$.window.pf') ELSE 5 END,
                CASE WHEN json_valid(opening) AND json_type(opening, '$.staff') = 'array'
                     THEN json_extract(opening, '$.staff') ELSE '[]' END,
                CASE WHEN json_valid(opening) THEN json_extract(opening, '$.deviceId') END,
                opened_at, due_at, last_day, state, evaluation_id, settled_at, default_evaluation, default_enqueued
            FROM ledger_cases;

            DROP TABLE ledger_cases;
            ALTER TABLE ledger_cases_typed RENAME TO ledger_cases;
            CREATE INDEX ledger_cases_open_due ON ledger_cases(due_at) WHERE state = 'open';
            CREATE INDEX ledger_cases_unconfirmed ON ledger_cases(settled_at) WHERE state = 'defaulted' AND default_enqueued = 0;
            """),
        // A settled case keeps only what rule 1 needs (one service, one
        // evaluation): its key, window, opening instant, state and evaluation.
        // Its opening existed for its default rating, which no longer applies;
        // staff names and the rest went with the evaluation to the queue, which
        // prunes delivered records, while this row stays for good. A case
        // rated in the batch that opened it is inserted so (one short row), and
        // rating or defaulting an open case clears the same columns.
        // An open row still holds its whole opening (its default is built from
        // it: the CHECK). No CHECK forbids staff in a settled row: docs/queue.md's
        // salvage copies `SELECT *` from a moved-aside file, which may be of the
        // schema before, and a row it skipped would let its case be rated again.
        Migration("ledger-006-settled-cases-keep-no-opening", """
            CREATE TABLE ledger_cases_settled (
                project_no     TEXT PRIMARY KEY NOT NULL,
                task_code      TEXT,
                task_name      TEXT,
                area_code      TEXT,
                dept_code      TEXT,
                dept_name      TEXT,
                hall_code      TEXT,
                window_code    TEXT NOT NULL,
                default_staff_login TEXT,
                default_staff_name  TEXT,
                default_task_code   TEXT,
                default_task_name   TEXT,
                pf             INTEGER,
                staff          TEXT,
                device_id      TEXT,
                opened_at      REAL NOT NULL,
                due_at         REAL,
                last_day       TEXT,
                -- Not `state IN (…)`: an IN list of three builds an ephemeral
                -- table on every INSERT and UPDATE (a third of a rated row's cost).
                state          TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'rated' OR state = 'defaulted'),
                evaluation_id  TEXT,
                settled_at     REAL,
                default_evaluation TEXT,
                default_enqueued INTEGER NOT NULL DEFAULT 0 CHECK (default_enqueued IN (0, 1)),
                CHECK ((default_staff_login IS NULL) = (default_staff_name IS NULL)),
                CHECK ((state = 'open') = (evaluation_id IS NULL)),
                CHECK (state = 'defaulted' OR default_evaluation IS NULL),
                CHECK (state <> 'open' OR (area_code IS NOT NULL AND pf IS NOT NULL AND staff IS NOT NULL
                                           AND due_at IS NOT NULL AND last_day IS NOT NULL))
            ) STRICT, WITHOUT ROWID;

            INSERT INTO ledger_cases_settled
                SELECT project_no, task_code, task_name, area_code, dept_code, dept_name, hall_code, window_code,
                       default_staff_login, default_staff_name, default_task_code, default_task_name, pf, staff, device_id,
                       opened_at, due_at, last_day, state, evaluation_id, settled_at, default_evaluation, default_enqueued
                FROM ledger_cases WHERE state = 'open';
            INSERT INTO ledger_cases_settled (project_no, window_code, opened_at, state, evaluation_id, settled_at,
                                              default_evaluation, default_enqueued)
                SELECT project_no, window_code, opened_at, state, evaluation_id, settled_at, default_evaluation, default_enqueued
                FROM ledger_cases WHERE state <> 'open';

            DROP TABLE ledger_cases;
            ALTER TABLE ledger_cases_settled RENAME TO ledger_cases;
            CREATE INDEX ledger_cases_open_due ON ledger_cases(due_at) WHERE state = 'open';
            CREATE INDEX ledger_cases_unconfirmed ON ledger_cases(settled_at) WHERE state = 'defaulted' AND default_enqueued = 0;
            """),
        // The reason's CHECK spelled out, as ledger-006 did for the case state:
        // `reason IN (…)` with four values compiled into an ephemeral table
        // built and dropped on every filtered press (a keypad's contact bounce
        // can make one per press). Same columns in the same order, so the
        // salvage's `SELECT *` from an older file still fits.
        Migration("ledger-007-filtered-reason-spelled-out", """
            CREATE TABLE filtered_presses_v3 (
                id           INTEGER PRIMARY KEY,
                window_code  TEXT NOT NULL,
                device_id    TEXT NOT NULL,
                rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                reason       TEXT NOT NULL CHECK (reason = 'bounce' OR reason = 'repeat' OR reason = 'tooFast'
                                                  OR reason = 'ledger-unavailable'),
                pressed_at   REAL NOT NULL,
                project_no   TEXT,
                had_identity INTEGER NOT NULL CHECK (had_identity IN (0, 1))
            ) STRICT;
            INSERT INTO filtered_presses_v3 (id, window_code, device_id, rating, reason, pressed_at, project_no, had_identity)
                SELECT id, window_code, device_id, rating, reason, pressed_at, project_no, had_identity FROM filtered_presses;
            DROP TABLE filtered_presses;
            ALTER TABLE filtered_presses_v3 RENAME TO filtered_presses;
            CREATE INDEX filtered_presses_time ON filtered_presses(pressed_at);
            """),
        // A case opened and rated in one batch gets no ledger row while its
        // evaluation is in the queue: the queue's row (project_no, a citizen's
        // evaluation type) is the durable record of the rating, as
        // `LedgerSQL.caseState` already reads it, written in the same
        // statement as the evaluation. The case's settled row is written when
        // the evaluation leaves the table (retention prune, an operator's
        // drop), in that transaction (`LedgerSQL.settleLeavingSQL`). This
        // column keeps the scan's instant for that row; NULL for every other
        // evaluation (one header byte). Existing rows need no conversion.
        Migration("ledger-008-cases-rated-in-the-queue", """
            ALTER TABLE evaluations ADD COLUMN case_opened_at REAL;
            """),
    ]
}
