import EvalCore

/// The columns of migration fields-001 (reasons and the national field set),
/// bound after `StoredEvaluation`'s own and read back after them, in the
/// order of `NationalField.allCases` after the two reason columns.
enum NationalColumns {
    static let names = """
        eval_detail, writing_evaluation, version, evaversion, service_number, task_type, promisetime, \
        handle_user_name, handle_user_page_type, handle_user_page_code, user_page_type, mobile, apply_time, data_source
        """
    static let count: Int32 = 14

    /// Columns that hold personal data: erased by `purgePersonalData`.
    static let personal = ["writing_evaluation", "handle_user_name", "handle_user_page_type", "handle_user_page_code", "mobile"]

    static func bind(_ e: Evaluation, to statement: Statement, from first: Int32) throws {
        try statement.bindText(first, e.evalDetail.map(ReasonCatalog.format))
        try statement.bindText(first + 1, e.writingEvaluation?.revealed)
        let national = e.national ?? NationalFields()
        for (offset, field) in NationalField.allCases.enumerated() {
            try statement.bindText(first + 2 + Int32(offset), national[field])
        }
    }

    static func decode(_ row: Statement, from first: Int32, into evaluation: inout Evaluation) throws {
        func text(_ i: Int32) -> String? { row.column(first + i, as: String.self) }
        if let detail = text(0) {
            do { evaluation.evalDetail = try ReasonCatalog.parse(detail) } catch {
                throw QueueError.unreadable("stored record \(evaluation.evaluationId): eval_detail \(error)")
            }
        }
        evaluation.writingEvaluation = text(1).map(PersonalData.init)
        var national = NationalFields()
        for (offset, field) in NationalField.allCases.enumerated() {
            national[field] = text(2 + Int32(offset))
        }
        evaluation.national = national.isEmpty ? nil : national
    }

    /// Their share of a record's bytes (`StoredEvaluation.bytes`).
    static func bytes(of e: Evaluation) -> Int {
        var total = (e.evalDetail?.count ?? 0) * 4 + (e.writingEvaluation?.revealed.utf8.count ?? 0)
        if let national = e.national {
            for field in NationalField.allCases { total += national[field]?.utf8.count ?? 0 }
        }
        return total
    }
}
