PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
    name TEXT PRIMARY KEY NOT NULL,
    applied_at REAL NOT NULL
) STRICT;
INSERT INTO schema_migrations VALUES('0001_create_evaluations',1796282619.2760138512);
INSERT INTO schema_migrations VALUES('ledger-001-cases',1796282619.2770197391);
INSERT INTO schema_migrations VALUES('ledger-002-filtered-presses',1796282619.2770197391);
INSERT INTO schema_migrations VALUES('ledger-003-bad-reviews',1796282619.2779853344);
INSERT INTO schema_migrations VALUES('ledger-004-filtered-ledger-unavailable',1796282619.2810029983);
INSERT INTO schema_migrations VALUES('ledger-101-bad-review-steps',1796282619.2820086478);
INSERT INTO schema_migrations VALUES('ledger-102-deadline-alerts',1796282619.2820086478);
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
INSERT INTO evaluations VALUES(1,'01a23c40-a87b-7343-8784-8a427c3ce091','pending',4,0,1,'W01',NULL,1796307200.1234569549,'{"evaluationId":"01a23c40-a87b-7343-8784-8a427c3ce091","satisfaction":4,"evaluationType":1,"assessedAt":818000000.1234568,"assessNumber":1,"pf":5,"areaCode":"533103","deptCode":"11533103MB1234567X","deptName":"芒市政务服务管理局","hallCode":"H1","windowCode":"W01","deviceId":"KP-1","evaluatedPersons":[{"loginName":"zhangsan","name":"张三"}],"recordedTime":{"bootID":"0f8c2a8e-1b1d-4c55-9a52-5d2b7c3f9e01","boot":1234.567891,"trusted":true}}',453,NULL,NULL,1,'timeout',1796307211.1234569549,1796307211.1234569549,1790000000.0,NULL,NULL,NULL,NULL);
INSERT INTO evaluations VALUES(2,'01a23c40-ac63-7d18-a817-16aca5c34119','pending',1,1,1,'W01','MS-2026-0001',1796307201.6234569549,'{"evaluationId":"01a23c40-ac63-7d18-a817-16aca5c34119","satisfaction":1,"evaluationType":1,"assessedAt":818000001.6234568,"assessNumber":1,"pf":5,"areaCode":"533103","deptCode":"11533103MB1234567X","deptName":"芒市政务服务管理局","hallCode":"H1","windowCode":"W01","deviceId":"KP-1","projectNo":"MS-2026-0001","taskCode":"T01","taskName":"营业执照\n变更","evaluatedPersons":[{"loginName":"zhangsan","name":"张三"},{"loginName":"lisi","name":"李\"四\\"}],"recordedTime":{"bootID":"0f8c2a8e-1b1d-4c55-9a52-5d2b7c3f9e01","boot":1240.25,"trusted":false}}',637,'{"userName":"王小明","certKey":"533103199001011234","userProp":1}',NULL,1,'timeout',1796307211.1234569549,1796307211.1234569549,1790000000.0,NULL,NULL,NULL,NULL);
INSERT INTO evaluations VALUES(3,'01a23c40-b04b-77ce-b26d-6cf132bcb44f','pending',3,0,2,'W02','MS-2026-0002',1796307202.1234569549,'{"evaluationId":"01a23c40-b04b-77ce-b26d-6cf132bcb44f","satisfaction":3,"evaluationType":2,"assessedAt":818000002.1234568,"assessNumber":1,"pf":5,"areaCode":"533103","windowCode":"W02","deviceId":"default","projectNo":"MS-2026-0002","evaluatedPersons":[]}',255,NULL,NULL,1,'timeout',1796307211.1234569549,1796307211.1234569549,1790000000.0,NULL,NULL,NULL,NULL);
INSERT INTO evaluations VALUES(4,'01a23c40-b433-754d-abca-2f7741319e02','delivered',5,0,1,'W01','MS-2026-0003',1796307203.1234569549,'{"evaluationId":"01a23c40-b433-754d-abca-2f7741319e02","satisfaction":5,"evaluationType":1,"assessedAt":818000003.1234568,"assessNumber":1,"pf":5,"areaCode":"533103","hallCode":"H1","windowCode":"W01","deviceId":"KP-1","projectNo":"MS-2026-0003","evaluatedPersons":[]}',336,NULL,1790000000.0,1,NULL,NULL,1790000000.0,1790000000.0,NULL,1796307211.1234569549,NULL,NULL);
INSERT INTO evaluations VALUES(5,'01a23c40-b81b-7fab-8a69-ff2a4c759d03','rejected',2,1,1,'W03',NULL,1796307204.1234569549,'{"evaluationId":"01a23c40-b81b-7fab-8a69-ff2a4c759d03","satisfaction":2,"evaluationType":1,"assessedAt":818000004.1234568,"assessNumber":1,"pf":5,"areaCode":"999999","windowCode":"W03","deviceId":"KP-3","evaluatedPersons":[]}',225,NULL,NULL,1,'areaCode 999999 unknown',1796307211.1234569549,1790000000.0,1790000000.0,NULL,NULL,1796307211.1234569549,'areaCode 999999 unknown');
INSERT INTO evaluations VALUES(6,'01a23c40-bc03-7ae3-85e8-a02522bcb2a1','inflight',4,0,1,'W01',NULL,1796307204.8734569549,'{"evaluationId":"01a23c40-bc03-7ae3-85e8-a02522bcb2a1","satisfaction":4,"evaluationType":1,"assessedAt":818000004.8734568,"assessNumber":1,"pf":5,"areaCode":"533103","windowCode":"W01","deviceId":"KP-1","evaluatedPersons":[],"recordedTime":{"bootID":"old-boot","boot":9.5,"trusted":true}}',289,NULL,NULL,0,NULL,NULL,1790000000.0,1790000000.0,1796307210.1234569549,NULL,NULL,NULL);
INSERT INTO evaluations VALUES(7,'01a23c40-bfeb-7166-a636-814318066d5f','pending',5,0,1,'W01',NULL,1796307206.123456955,'{"evaluationId":"01a23c40-bfeb-7166-a636-814318066d5f","satisfaction":5,"evaluationType":1,"assessedAt":818000006.1234568,"assessNumber":1,"pf":5,"areaCode":"533103","windowCode":"W01","deviceId":"KP-1","evaluatedPersons":[]}',293,'{"userName":"王小明","certKey":"533103199001011234","userProp":1}',NULL,1,'HTTP 503',1796307211.1234569549,1796307270.1234569549,1790000000.0,NULL,NULL,NULL,NULL);
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
CREATE TABLE IF NOT EXISTS "filtered_presses" (
    id           INTEGER PRIMARY KEY,
    window_code  TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    reason       TEXT NOT NULL CHECK (reason IN ('bounce', 'repeat', 'tooFast', 'ledger-unavailable')),
    pressed_at   REAL NOT NULL,
    project_no   TEXT,
    had_identity INTEGER NOT NULL CHECK (had_identity IN (0, 1))
) STRICT;
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
CREATE TABLE deadline_alerts (
    evaluation_id TEXT NOT NULL REFERENCES bad_reviews(evaluation_id),
    kind          TEXT NOT NULL CHECK (kind IN ('rectification-deadline-near', 'rectification-deadline-passed')),
    deadline      TEXT NOT NULL CHECK (deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    given_at      REAL NOT NULL,
    PRIMARY KEY (evaluation_id, kind, deadline)
) STRICT, WITHOUT ROWID;
CREATE INDEX evaluations_claim ON evaluations (is_bad DESC, seq) WHERE state = 'pending';
CREATE INDEX evaluations_due ON evaluations (next_attempt_at) WHERE state = 'pending';
CREATE INDEX evaluations_delivered ON evaluations (delivered_at) WHERE state = 'delivered';
CREATE INDEX evaluations_errors ON evaluations (last_error_at) WHERE last_error_at IS NOT NULL;
CREATE INDEX evaluations_project ON evaluations (project_no) WHERE project_no IS NOT NULL;
CREATE INDEX ledger_cases_open_due ON ledger_cases(due_at) WHERE state = 'open';
CREATE INDEX ledger_cases_unconfirmed ON ledger_cases(settled_at) WHERE state = 'defaulted' AND default_enqueued = 0;
CREATE INDEX bad_reviews_time ON bad_reviews(assessed_at);
CREATE INDEX filtered_presses_time ON filtered_presses(pressed_at);
CREATE TRIGGER bad_review_steps_append_only BEFORE UPDATE ON bad_review_steps
BEGIN SELECT RAISE(ABORT, 'bad_review_steps is append-only'); END;
COMMIT;
