extension Schema {
    /// The evaluation's own fields as columns instead of a stored JSON payload
    /// (issue 9, item 4): one row is one `StoredEvaluation`, read back without
    /// a JSON reader, and an operator's `sqlite3` sees every field.
    ///
    /// A table rebuild (SQLite cannot change a column list in place), in the
    /// migration's one transaction: a crash leaves the old table or the new
    /// one, never half. Rows written by 0001 are converted with `json_extract`;
    /// a row whose stored JSON is malformed cannot be converted and becomes a
    /// dead letter saying so (it was already unreadable: `claim` would have
    /// dead-lettered it), rather than failing the migration and the agent.
    ///
    /// Which query uses which index:
    /// - `evaluations_claim` (pending, by is_bad then seq): `claim`'s ORDER BY … LIMIT.
    /// - `evaluations_due` (pending, by next_attempt_at): `nextDue`'s min() and
    ///   the waiting-for-retry count in status; `claim`'s due filter runs on the
    ///   claim index's rows.
    /// - `evaluations_delivered` (delivered, by delivered_at): retention prune
    ///   and the personal-data purge.
    /// - `evaluations_project` (project_no): the default pass's "is a rating
    ///   of this case queued?" and the API's 409 (`activeEvaluation`).
    /// - `evaluations_errors` (rows with an error, by last_error_at): status's
    ///   "last error" (`QueueReader`, newest first, LIMIT 1), read every status
    ///   interval; without it that is a scan of the whole table.
    ///
    /// Every other filter (operator `queue list` by state, window, date) scans:
    /// operators' reads are rare, and each index costs on every insert.
    static let typedEvaluations: [Migration] = [
        Migration("0002_typed_evaluation_columns", """
            CREATE TABLE evaluations_typed (
                seq              INTEGER PRIMARY KEY,
                evaluation_id    TEXT    NOT NULL UNIQUE CHECK (length(evaluation_id) = 36),
                state            TEXT    NOT NULL,
                rating           INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                is_bad           INTEGER NOT NULL CHECK (is_bad IN (0, 1) AND is_bad = (rating <= 2)),
                evaluation_type  INTEGER NOT NULL CHECK (evaluation_type IN (1, 2)),
                -- Seconds since 2001 exactly as Foundation's Date holds them, so a
                -- record reads back equal; assessed_at is the same instant in Unix
                -- seconds for SQL (date ranges, the operator's sqlite3).
                assessed_ref     REAL    NOT NULL,
                assessed_at      REAL    GENERATED ALWAYS AS (assessed_ref + 978307200.0) VIRTUAL,
                assess_number    INTEGER NOT NULL CHECK (assess_number IN (1, 2)),
                pf               INTEGER NOT NULL,
                area_code        TEXT    NOT NULL,
                dept_code        TEXT,
                dept_name        TEXT,
                hall_code        TEXT,
                window_code      TEXT    NOT NULL,
                device_id        TEXT    NOT NULL,
                project_no       TEXT,
                task_code        TEXT,
                task_name        TEXT,
                -- The staff rated, [{"loginName":…,"name":…}]: a list read and
                -- written whole, never searched.
                evaluated_persons TEXT   NOT NULL,
                -- Where the time came from (never sent): all three or none.
                recorded_boot_id TEXT,
                recorded_boot    REAL,
                recorded_trusted INTEGER CHECK (recorded_trusted IN (0, 1)),
                -- The evaluator, only for real-name ratings; purged (all three NULL)
                -- after delivery + the personal-data retention.
                evaluator_name   TEXT,
                evaluator_cert_key TEXT,
                evaluator_user_prop INTEGER,
                personal_data_purged_at REAL,
                -- What the record counts against max_pending_bytes.
                record_bytes     INTEGER NOT NULL CHECK (record_bytes > 0),
                attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                last_error       TEXT,
                last_error_at    REAL,
                next_attempt_at  REAL    NOT NULL,
                enqueued_at      REAL    NOT NULL,
                claimed_at       REAL,
                delivered_at     REAL,
                rejected_at      REAL,
                rejected_reason  TEXT,
                CHECK ((recorded_boot_id IS NULL) = (recorded_boot IS NULL) AND (recorded_boot IS NULL) = (recorded_trusted IS NULL)),
                CHECK ((evaluator_name IS NULL) = (evaluator_cert_key IS NULL) AND (evaluator_cert_key IS NULL) = (evaluator_user_prop IS NULL)),
                CHECK (CASE state
                    WHEN 'pending'   THEN claimed_at IS NULL     AND delivered_at IS NULL     AND rejected_reason IS NULL
                    WHEN 'inflight'  THEN claimed_at IS NOT NULL AND delivered_at IS NULL     AND rejected_reason IS NULL
                    WHEN 'delivered' THEN claimed_at IS NULL     AND delivered_at IS NOT NULL AND rejected_reason IS NULL
                    WHEN 'rejected'  THEN claimed_at IS NULL     AND delivered_at IS NULL
                                          AND rejected_reason IS NOT NULL AND rejected_at IS NOT NULL
                    ELSE 0 END)
            ) STRICT;

            INSERT INTO evaluations_typed (
                seq, evaluation_id, state, rating, is_bad, evaluation_type, assessed_ref, assess_number, pf,
                area_code, dept_code, dept_name, hall_code, window_code, device_id, project_no, task_code, task_name,
                evaluated_persons, recorded_boot_id, recorded_boot, recorded_trusted,
                evaluator_name, evaluator_cert_key, evaluator_user_prop, personal_data_purged_at, record_bytes,
                attempts, last_error, last_error_at, next_attempt_at, enqueued_at, claimed_at, delivered_at, rejected_at, rejected_reason)
            SELECT seq, evaluation_id, state, rating, is_bad, evaluation_type,
                json_extract(payload, '$.assessedAt'), json_extract(payload, '$.assessNumber'), json_extract(payload, '$.pf'),
                json_extract(payload, '$.areaCode'), json_extract(payload, '$.deptCode'), json_extract(payload, '$.deptName'),
                json_extract(payload, '$.hallCode'), json_extract(payload, '$.windowCode'), json_extract(payload, '$.deviceId'),
                json_extract(payload, '$.projectNo'), json_extract(payload, '$.taskCode'), json_extract(payload, '$.taskName'),
                coalesce(json_extract(payload, '$.evaluatedPersons'), '[]'),
                json_extract(payload, '$.recordedTime.bootID'), json_extract(payload, '$.recordedTime.boot'),
                json_extract(payload, '$.recordedTime.trusted'),
                json_extract(personal_data, '$.userName'), json_extract(personal_data, '$.certKey'),
                json_extract(personal_data, '$.userProp'), personal_data_purged_at, payload_bytes,
                attempts, last_error, last_error_at, next_attempt_at, enqueued_at, claimed_at, delivered_at, rejected_at, rejected_reason
            FROM evaluations
            WHERE json_valid(payload) AND (personal_data IS NULL OR json_valid(personal_data))
              AND json_type(payload, '$.assessedAt') IN ('real', 'integer') AND json_type(payload, '$.areaCode') = 'text'
              AND json_type(payload, '$.windowCode') = 'text' AND json_type(payload, '$.deviceId') = 'text';

            -- The unreadable rest: kept as dead letters with what could be read.
            INSERT INTO evaluations_typed (
                seq, evaluation_id, state, rating, is_bad, evaluation_type, assessed_ref, assess_number, pf,
                area_code, window_code, device_id, project_no, evaluated_persons, record_bytes,
                attempts, last_error, last_error_at, next_attempt_at, enqueued_at, rejected_at, rejected_reason)
            SELECT seq, evaluation_id, 'rejected', rating, is_bad, evaluation_type, assessed_at - 978307200.0, 1, 5,
                '', window_code, '', project_no, '[]', payload_bytes,
                attempts, last_error, last_error_at, next_attempt_at, enqueued_at, (julianday('now') - 2440587.5) * 86400.0,
                'evald: stored record unreadable, not converted by migration 0002: ' || substr(payload, 1, 200)
            FROM evaluations WHERE seq NOT IN (SELECT seq FROM evaluations_typed);

            DROP TABLE evaluations;
            ALTER TABLE evaluations_typed RENAME TO evaluations;
            CREATE INDEX evaluations_claim ON evaluations (is_bad DESC, seq) WHERE state = 'pending';
            CREATE INDEX evaluations_due ON evaluations (next_attempt_at) WHERE state = 'pending';
            CREATE INDEX evaluations_delivered ON evaluations (delivered_at) WHERE state = 'delivered';
            CREATE INDEX evaluations_errors ON evaluations (last_error_at) WHERE last_error_at IS NOT NULL;
            CREATE INDEX evaluations_project ON evaluations (project_no) WHERE project_no IS NOT NULL;
            """),
    ]
}
