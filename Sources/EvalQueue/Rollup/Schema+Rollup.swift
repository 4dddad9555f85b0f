/// The report rollup (issue 28): counts per (day, window, staff member,
/// department, service item, channel) that outlive the records they count.
///
/// Written by SQLite triggers on the tables whose rows ARE the events — an
/// evaluation inserted, a case opened, a press filtered, a bad review
/// recorded, a follow-up step, a deadline passed — so every count commits in
/// the transaction of its event, whichever connection or code path writes it
/// (the daemon's writer, evalctl's follow-up steps, a salvage copy), and no
/// write path of the store needs a call of its own. `RollupSQL.rebuild`
/// recounts the same from the records and the ledger (`evalctl report --rebuild`).
///
/// No personal data: the evaluator's identity never reaches these tables;
/// the staff member's login and name (the window's, as sent to the platform)
/// label the rows a 通报 names.
///
/// Beware: a later migration that rebuilds `evaluations`, `ledger_cases`,
/// `filtered_presses`, `bad_reviews`, `bad_review_steps` or `deadline_alerts`
/// (CREATE new, copy, DROP, RENAME) drops these triggers with the old table:
/// it must create them again (`RollupSQL.triggers`). RollupTests catch it.
extension Schema {
    static let rollup: [Migration] = [
        Migration("rollup-001-daily-counts", """
            CREATE TABLE rollup_daily (
                day          TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),  -- Asia/Shanghai
                window_code  TEXT    NOT NULL,
                staff_login  TEXT    NOT NULL,          -- '' when nobody is named (filtered presses: never)
                dept_code    TEXT    NOT NULL,
                task_code    TEXT    NOT NULL,
                pf           INTEGER NOT NULL,          -- channel; 0 unknown (filtered presses)
                hall_code    TEXT,                      -- labels: the last seen, not part of the key
                staff_name   TEXT,
                dept_name    TEXT,
                task_name    TEXT,
                served       INTEGER NOT NULL DEFAULT 0, -- cases opened (scan or API) + citizens' ratings of no case
                r5           INTEGER NOT NULL DEFAULT 0, -- active first ratings per level
                r4           INTEGER NOT NULL DEFAULT 0,
                r3           INTEGER NOT NULL DEFAULT 0,
                r2           INTEGER NOT NULL DEFAULT 0,
                r1           INTEGER NOT NULL DEFAULT 0,
                defaults     INTEGER NOT NULL DEFAULT 0, -- default ratings (基本满意 after 5 working days)
                follow_ups   INTEGER NOT NULL DEFAULT 0, -- 追评 (assessNumber 2): never a second rating
                filtered     INTEGER NOT NULL DEFAULT 0, -- presses kept for audit, not forwarded
                bad          INTEGER NOT NULL DEFAULT 0, -- lines in the 台账
                call_backs_needed INTEGER NOT NULL DEFAULT 0, -- real-name bad reviews not verified mistaken/malicious
                rectified    INTEGER NOT NULL DEFAULT 0,
                called_back  INTEGER NOT NULL DEFAULT 0,
                overdue      INTEGER NOT NULL DEFAULT 0, -- went past a rectification deadline unrectified
                mistaken     INTEGER NOT NULL DEFAULT 0,
                malicious    INTEGER NOT NULL DEFAULT 0,
                defaults_offline INTEGER NOT NULL DEFAULT 0, -- defaults of cases whose window had no evaluator online
                PRIMARY KEY (day, window_code, staff_login, dept_code, task_code, pf)
            ) STRICT, WITHOUT ROWID;
            -- A bad review's key, fixed when it enters the 台账: its follow-up
            -- steps count against the day and window of the review, months later,
            -- after its evaluation has been pruned.
            CREATE TABLE rollup_bad_review_keys (
                evaluation_id TEXT    PRIMARY KEY NOT NULL,
                day           TEXT    NOT NULL,
                window_code   TEXT    NOT NULL,
                staff_login   TEXT    NOT NULL,
                dept_code     TEXT    NOT NULL,
                task_code     TEXT    NOT NULL,
                pf            INTEGER NOT NULL,
                call_back_needed INTEGER NOT NULL DEFAULT 0,  -- as its 台账 line says
                overdue_counted  INTEGER NOT NULL DEFAULT 0   -- its first passed deadline is counted
            ) STRICT, WITHOUT ROWID;
            \(RollupSQL.triggers)
            \(RollupSQL.rebuildSQL(from: "0000-01-01", to: "9999-12-31"))
            """),
    ]
}
