/// The rollup's SQL, composed once: the triggers that count each event in its
/// own transaction, and the recount from the records and the ledger that
/// `rebuild` runs. Both read an event through the same expressions (a trigger's
/// `NEW` row, or a table aliased `NEW`), so what is counted live and what is
/// recounted cannot drift apart.
enum RollupSQL {
    /// The counters, in the table's column order.
    static let counters = ["served", "r5", "r4", "r3", "r2", "r1", "defaults", "follow_ups", "filtered", "bad",
                           "call_backs_needed", "rectified", "called_back", "overdue", "mistaken", "malicious", "defaults_offline"]
    static let keyColumns = ["day", "window_code", "staff_login", "dept_code", "task_code", "pf"]
    static let labelColumns = ["hall_code", "staff_name", "dept_name", "task_name"]

    /// What one event adds: its key, its labels and the counters it moves.
    struct Event {
        var key: [String]      // 6 expressions, `keyColumns`
        var labels: [String]   // 4 expressions, `labelColumns`
        var counts: [String: String]

        /// key, labels, every counter (0 where the event does not move it).
        var selectList: String {
            (key + labels + RollupSQL.counters.map { counts[$0] ?? "0" }).joined(separator: ", ")
        }

        /// `selectList` with each expression named after its column (a UNION's first SELECT).
        var aliasedSelectList: String {
            let columns = RollupSQL.keyColumns + RollupSQL.labelColumns + RollupSQL.counters
            return zip(key + labels + RollupSQL.counters.map { counts[$0] ?? "0" }, columns)
                .map { "\($0) AS \($1)" }.joined(separator: ", ")
        }

        func negated() -> Event {
            Event(key: key, labels: labels, counts: counts.mapValues { "-(\($0))" })
        }
    }

    /// The Asia/Shanghai day of a Unix-seconds expression (China keeps no DST).
    static func day(_ unixSeconds: String) -> String { "date(\(unixSeconds), 'unixepoch', '+8 hours')" }

    /// The first element's field of a staff list, NULL if the JSON is unreadable
    /// (never an error: a count must not make its event's insert fail).
    static func firstStaff(_ json: String, _ field: String) -> String {
        "CASE WHEN json_valid(\(json)) THEN json_extract(\(json), '$[0].\(field)') END"
    }

    // MARK: Events

    /// An evaluation row `r` as a rating (its own day and key). A citizen's
    /// rating of no case is also a service given: nobody scanned it, but the
    /// press shows it happened (without it, a window that rates without
    /// scanning would show a participation above 100 %).
    static func rating(_ r: String) -> Event {
        func level(_ n: Int) -> String { "(\(r).evaluation_type = 1 AND \(r).assess_number = 1 AND \(r).rating = \(n))" }
        return Event(key: evaluationKey(r, day: day("\(r).assessed_ref + 978307200.0")), labels: evaluationLabels(r), counts: [
            "served": "(\(r).project_no IS NULL AND \(r).evaluation_type = 1 AND \(r).assess_number = 1)",
            "r5": level(5), "r4": level(4), "r3": level(3), "r2": level(2), "r1": level(1),
            "defaults": "(\(r).evaluation_type = 2 AND \(r).assess_number = 1)",
            "follow_ups": "(\(r).assess_number = 2)",
            "defaults_offline": "(\(r).evaluation_type = 2 AND \(r).assess_number = 1 AND \(r).evaluator_offline_at IS NOT NULL)",
        ])
    }

    /// An evaluation row `r` as the service of a case opened in its own batch
    /// (ledger-008: the evaluation holds the scan's instant, the case has no row).
    static func servedInEvaluation(_ r: String) -> Event {
        Event(key: evaluationKey(r, day: day("\(r).case_opened_at")), labels: evaluationLabels(r), counts: ["served": "1"])
    }

    /// When `servedInEvaluation` applies: a case opened with it and not in the ledger.
    static func isServedInEvaluation(_ r: String) -> String {
        "\(r).case_opened_at IS NOT NULL AND \(r).project_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_cases WHERE project_no = \(r).project_no)"
    }

    static func evaluationKey(_ r: String, day: String) -> [String] {
        [day, "\(r).window_code", "coalesce(\(firstStaff("\(r).evaluated_persons", "loginName")), '')",
         "coalesce(\(r).dept_code, '')", "coalesce(\(r).task_code, '')", "\(r).pf"]
    }

    static func evaluationLabels(_ r: String) -> [String] {
        ["\(r).hall_code", firstStaff("\(r).evaluated_persons", "name"), "\(r).dept_name", "\(r).task_name"]
    }

    /// A case row `c` opened (scan or API). `e`: its evaluation, for a settled
    /// row whose opening was cleared (the recount only; a trigger sees the opening).
    static func opened(_ c: String, evaluation e: String? = nil) -> Event {
        func or(_ expression: String, _ fallback: String) -> String { e == nil ? expression : "coalesce(\(expression), \(fallback))" }
        let staff = firstStaff("\(c).staff", "loginName")
        let evaluationStaff = e.map { firstStaff("\($0).evaluated_persons", "loginName") } ?? "NULL"
        return Event(key: [
            day("\(c).opened_at"), "\(c).window_code",
            "coalesce(\(or(staff, evaluationStaff)), '')",
            "coalesce(\(or("\(c).dept_code", "\(e ?? "").dept_code")), '')",
            "coalesce(\(c).task_code, \(c).default_task_code, \(e.map { "\($0).task_code" } ?? "NULL"), '')",
            "coalesce(\(or("\(c).pf", "\(e ?? "").pf")), 0)",
        ], labels: [
            or("\(c).hall_code", "\(e ?? "").hall_code"), or(firstStaff("\(c).staff", "name"), e.map { firstStaff("\($0).evaluated_persons", "name") } ?? "NULL"),
            or("\(c).dept_name", "\(e ?? "").dept_name"), or("\(c).task_name", "\(e ?? "").task_name"),
        ], counts: ["served": "1"])
    }

    /// A filtered press row `f`: the window and day only (a press names no staff, item or channel).
    static func filtered(_ f: String) -> Event {
        Event(key: [day("\(f).pressed_at"), "\(f).window_code", "''", "''", "''", "0"],
              labels: ["NULL", "NULL", "NULL", "NULL"], counts: ["filtered": "1"])
    }

    /// The key of a bad review `b` when it enters the 台账, its department,
    /// item and channel from its evaluation (`e`, same transaction).
    static func badReviewKey(_ b: String, evaluation e: String) -> [String] {
        [day("\(b).assessed_at"), "\(b).window_code", "coalesce(\(b).staff_login, '')",
         "coalesce(\(e).dept_code, '')", "coalesce(\(e).task_code, '')", "coalesce(\(e).pf, 0)"]
    }

    static func keyed(_ k: String, counts: [String: String]) -> Event {
        Event(key: keyColumns.map { "\(k).\($0)" }, labels: ["NULL", "NULL", "NULL", "NULL"], counts: counts)
    }

    // MARK: Statements

    /// Adds `event` for each row `source` (a FROM … WHERE …) yields.
    static func upsert(_ event: Event, from source: String) -> String {
        """
        INSERT INTO rollup_daily (\((keyColumns + labelColumns + counters).joined(separator: ", ")))
        SELECT \(event.selectList) \(source)
        ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
            \(labelColumns.map { "\($0) = coalesce(excluded.\($0), \($0))" }.joined(separator: ", ")),
            \(counters.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "));
        """
    }

    static let oneRow = "FROM (SELECT 1)"

    static let triggers = """
        -- Every trigger reads only its own row and the rollup's tables: a trigger
        -- naming another table would make that table's rebuild (CREATE, copy,
        -- DROP, RENAME, as migrations do) fail on the RENAME. So the service of
        -- a case opened in its rating's batch is counted by the store
        -- (RollupStore.countServedInEvaluation), and a bad review's key comes
        -- from its evaluation here, before its 台账 line.
        CREATE TRIGGER rollup_evaluation_inserted AFTER INSERT ON evaluations BEGIN
            \(upsert(rating("NEW"), from: "\(oneRow) WHERE true"))
            INSERT OR IGNORE INTO rollup_bad_review_keys (evaluation_id, \(keyColumns.joined(separator: ", ")))
            SELECT NEW.evaluation_id, \(evaluationKey("NEW", day: day("NEW.assessed_ref + 978307200.0")).joined(separator: ", "))
            \(oneRow) WHERE NEW.is_bad = 1;
        END;
        -- A record re-dated once its time is trusted moves to its real day.
        CREATE TRIGGER rollup_evaluation_redated AFTER UPDATE OF assessed_ref ON evaluations
        WHEN \(day("OLD.assessed_ref + 978307200.0")) IS NOT \(day("NEW.assessed_ref + 978307200.0")) BEGIN
            \(upsert(rating("OLD").negated(), from: "\(oneRow) WHERE true"))
            \(upsert(rating("NEW"), from: "\(oneRow) WHERE true"))
        END;
        -- Only an opening: a settled row inserted when a queued rating leaves
        -- the table (ledger-008) was counted with that rating.
        CREATE TRIGGER rollup_case_opened AFTER INSERT ON ledger_cases WHEN NEW.state = 'open' BEGIN
            \(upsert(opened("NEW"), from: "\(oneRow) WHERE true"))
        END;
        CREATE TRIGGER rollup_press_filtered AFTER INSERT ON filtered_presses BEGIN
            \(upsert(filtered("NEW"), from: "\(oneRow) WHERE true"))
        END;
        CREATE TRIGGER rollup_bad_review_recorded AFTER INSERT ON bad_reviews BEGIN
            UPDATE rollup_bad_review_keys SET call_back_needed = NEW.call_back_needed WHERE evaluation_id = NEW.evaluation_id;
            \(upsert(keyed("k", counts: ["bad": "1", "call_backs_needed": "NEW.call_back_needed"]),
                     from: "FROM rollup_bad_review_keys k WHERE k.evaluation_id = NEW.evaluation_id"))
        END;
        CREATE TRIGGER rollup_bad_review_step AFTER INSERT ON bad_review_steps BEGIN
            \(upsert(keyed("k", counts: stepCounts("NEW", badReview: "k")),
                     from: "FROM rollup_bad_review_keys k WHERE k.evaluation_id = NEW.evaluation_id"))
        END;
        -- The first deadline passed unrectified; an extension's later deadline is the same case.
        CREATE TRIGGER rollup_deadline_passed AFTER INSERT ON deadline_alerts WHEN NEW.kind = 'rectification-deadline-passed' BEGIN
            \(upsert(keyed("k", counts: ["overdue": "1"]),
                     from: "FROM rollup_bad_review_keys k WHERE k.evaluation_id = NEW.evaluation_id AND k.overdue_counted = 0"))
            UPDATE rollup_bad_review_keys SET overdue_counted = 1 WHERE evaluation_id = NEW.evaluation_id;
        END;
        """

    /// What a follow-up step `s` of bad review `b` moves (the fold allows one
    /// verification, one rectification and one completed call-back per review).
    static func stepCounts(_ s: String, badReview b: String) -> [String: String] {
        let void = "(\(s).kind = 'verify' AND \(s).verification IN ('mistaken', 'malicious'))"
        return [
            "rectified": "(\(s).kind = 'rectify')",
            "called_back": "(\(s).kind = 'call-back' AND \(s).result <> 'unreachable')",
            "mistaken": "(\(s).kind = 'verify' AND \(s).verification = 'mistaken')",
            "malicious": "(\(s).kind = 'verify' AND \(s).verification = 'malicious')",
            "call_backs_needed": "-(\(void) AND \(b).call_back_needed = 1)",
        ]
    }

    // MARK: Recount

    /// Deletes the rollup of the days `[from, to]` (yyyy-MM-dd) and counts
    /// them again from the records and the ledger. Exact only for days whose
    /// evaluations are all still in the table (within `delivered_retention_days`):
    /// a pruned evaluation leaves its case's row without staff, item or channel.
    static func rebuildSQL(from: String, to: String) -> String {
        let events: [(Event, String)] = [
            (rating("r"), "FROM evaluations AS r"),
            (servedInEvaluation("r"), "FROM evaluations AS r WHERE \(isServedInEvaluation("r"))"),
            (opened("c", evaluation: "e"), "FROM ledger_cases AS c LEFT JOIN evaluations e ON e.evaluation_id = c.evaluation_id"),
            (filtered("f"), "FROM filtered_presses AS f"),
            (keyed("k", counts: [
                "bad": "1",
                "call_backs_needed": "(b.call_back_needed = 1 AND NOT EXISTS (SELECT 1 FROM bad_review_steps s WHERE s.evaluation_id = b.evaluation_id AND s.kind = 'verify' AND s.verification IN ('mistaken', 'malicious')))",
                "rectified": "EXISTS (SELECT 1 FROM bad_review_steps s WHERE s.evaluation_id = b.evaluation_id AND s.kind = 'rectify')",
                "called_back": "EXISTS (SELECT 1 FROM bad_review_steps s WHERE s.evaluation_id = b.evaluation_id AND s.kind = 'call-back' AND s.result <> 'unreachable')",
                "mistaken": "EXISTS (SELECT 1 FROM bad_review_steps s WHERE s.evaluation_id = b.evaluation_id AND s.kind = 'verify' AND s.verification = 'mistaken')",
                "malicious": "EXISTS (SELECT 1 FROM bad_review_steps s WHERE s.evaluation_id = b.evaluation_id AND s.kind = 'verify' AND s.verification = 'malicious')",
                "overdue": "EXISTS (SELECT 1 FROM deadline_alerts a WHERE a.evaluation_id = b.evaluation_id AND a.kind = 'rectification-deadline-passed')",
            ]), "FROM bad_reviews b JOIN rollup_bad_review_keys k ON k.evaluation_id = b.evaluation_id"),
        ]
        let columns = keyColumns + labelColumns + counters
        let union = events.enumerated().map { index, event in
            "SELECT \(index == 0 ? event.0.aliasedSelectList : event.0.selectList) \(event.1)"
        }.joined(separator: "\nUNION ALL\n")
        return """
            INSERT OR IGNORE INTO rollup_bad_review_keys (evaluation_id, \(keyColumns.joined(separator: ", ")))
            SELECT b.evaluation_id, \(badReviewKey("b", evaluation: "e").joined(separator: ", "))
            FROM bad_reviews b LEFT JOIN evaluations e ON e.evaluation_id = b.evaluation_id;
            UPDATE rollup_bad_review_keys SET
                call_back_needed = coalesce((SELECT call_back_needed FROM bad_reviews b WHERE b.evaluation_id = rollup_bad_review_keys.evaluation_id), 0),
                overdue_counted = EXISTS (SELECT 1 FROM deadline_alerts a WHERE a.evaluation_id = rollup_bad_review_keys.evaluation_id
                                                                           AND a.kind = 'rectification-deadline-passed');
            DELETE FROM rollup_daily WHERE day BETWEEN '\(from)' AND '\(to)';
            INSERT INTO rollup_daily (\(columns.joined(separator: ", ")))
            SELECT \(keyColumns.joined(separator: ", ")), \(labelColumns.map { "max(\($0))" }.joined(separator: ", ")),
                   \(counters.map { "sum(\($0))" }.joined(separator: ", "))
            FROM (\(union))
            WHERE day BETWEEN '\(from)' AND '\(to)'
            GROUP BY \(keyColumns.joined(separator: ", "));
            """
    }
}
