/// The operators' audit trail (issue #24): one row per operator action —
/// a queue repair, a follow-up step, a reveal of personal data — written in
/// the transaction of the change it records, so the store never holds a
/// change without its row, nor a row without its change. `audit.log` in the
/// state directory is a mirror written after the commit.
///
/// Append-only (triggers refuse UPDATE and DELETE); the CHECKs refuse line
/// breaks in every text column, so a row always prints as one line even if
/// a writer forgot to escape (`AuditText.escape` is the writers' side).
extension Schema {
    static let audit: [Migration] = [
        Migration("audit-001-operator-actions", """
            CREATE TABLE audit (
                seq           INTEGER PRIMARY KEY,
                at            REAL    NOT NULL,                         -- UTC seconds since 1970
                operator_uid  INTEGER NOT NULL CHECK (operator_uid >= 0),  -- from the kernel (SO_PEERCRED) or evalctl's getuid()
                operator_name TEXT    NOT NULL CHECK (length(operator_name) > 0),  -- the uid's user name, escaped
                claimed_name  TEXT,                                     -- what the client said (SUDO_USER …), escaped; never trusted
                via           TEXT    NOT NULL CHECK (via = 'control-socket' OR via = 'evalctl'),
                verb          TEXT    NOT NULL CHECK (length(verb) > 0),
                evaluation_id TEXT    CHECK (evaluation_id IS NULL OR length(evaluation_id) = 36),
                detail        TEXT    NOT NULL,
                CHECK (instr(operator_name, char(10)) = 0 AND instr(operator_name, char(13)) = 0
                   AND instr(coalesce(claimed_name, ''), char(10)) = 0 AND instr(coalesce(claimed_name, ''), char(13)) = 0
                   AND instr(verb, char(10)) = 0 AND instr(detail, char(10)) = 0 AND instr(detail, char(13)) = 0)
            ) STRICT;
            CREATE INDEX audit_evaluation ON audit (evaluation_id) WHERE evaluation_id IS NOT NULL;
            CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
            CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
            """),
    ]
}
