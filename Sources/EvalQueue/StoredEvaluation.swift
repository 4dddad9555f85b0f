import EvalCore
import Foundation

/// One row of `evaluations` (migration 0002): an evaluation's fields as typed
/// columns, the evaluator's identity in three of its own so it can be purged.
/// Built on the caller's task, not the writer thread: the writer only binds.
/// The wire JSON is written from the `Evaluation`, once, by the uplink.
struct StoredEvaluation: Sendable {
    let id: String
    let evaluation: Evaluation
    /// `evaluatedPersons` as UTF-8 JSON, bound to SQLite as it is.
    let persons: [UInt8]
    let recordBytes: Int

    init(_ evaluation: Evaluation) {
        id = Self.lowercaseUUID(evaluation.evaluationId.uuid)
        self.evaluation = evaluation
        persons = EvaluationJSON.persons(evaluation.evaluatedPersons)
        recordBytes = Self.bytes(of: evaluation, persons: persons.count)
    }

    /// What a record counts against `max_pending_bytes`: its text as stored
    /// plus 8 bytes per number, close to what SQLite's row holds.
    /// Summed field by field, not through an array: this runs on every enqueue.
    static func bytes(of e: Evaluation, persons: Int) -> Int {
        func count(_ text: String?) -> Int { text?.utf8.count ?? 0 }
        var texts = count(e.areaCode) + count(e.deptCode) + count(e.deptName) + count(e.hallCode) + count(e.windowCode)
        texts += count(e.deviceId) + count(e.projectNo) + count(e.taskCode) + count(e.taskName) + count(e.recordedTime?.bootID)
        texts += count(e.evaluator?.userName.revealed) + count(e.evaluator?.certKey.revealed)
        if e.evalDetail != nil || e.writingEvaluation != nil || e.national != nil { texts += NationalColumns.bytes(of: e) }
        return 36 + persons + texts + 8 * 12
    }

    /// `EvaluationID.description` without Foundation's `uuidString` (which
    /// goes through `sprintf`) and `lowercased()`: the same text, a tenth of the cost.
    static func lowercaseUUID(_ uuid: UUID) -> String {
        let hex = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid.uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (position, byte) in raw.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = hex[Int(byte >> 4)]
                    out[index + 1] = hex[Int(byte & 0xF)]
                    index += 2
                }
                return index
            }
        }
    }

    static let insertSQL: StaticString = """
        INSERT INTO evaluations (evaluation_id, state, rating, is_bad, evaluation_type, assessed_ref, assess_number, pf,
                                 area_code, dept_code, dept_name, hall_code, window_code, device_id, project_no, task_code, task_name,
                                 evaluated_persons, recorded_boot_id, recorded_boot, recorded_trusted,
                                 evaluator_name, evaluator_cert_key, evaluator_user_prop, record_bytes, next_attempt_at, enqueued_at,
                                 case_opened_at, eval_detail, writing_evaluation, version, evaversion, service_number,
                                 task_type, promisetime, handle_user_name, handle_user_page_type, handle_user_page_code,
                                 user_page_type, mobile, apply_time, data_source, evaluator_offline_at)
        VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?41, ?25,
                ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?42)
        """

    /// Binds `insertSQL`'s parameters and runs it. Typed binds, no
    /// `[any Bindable]` array; the persons JSON is bound without a copy
    /// (`SQLITE_STATIC`), safe because the statement is stepped and reset
    /// (clearing its bindings) while the buffer is pinned. `caseOpenedAt`: the
    /// scan's instant of a case opened in the same batch, which then has no
    /// ledger row until this record leaves the table (migration ledger-008).
    /// `evaluatorOfflineAt`: a default's case had no evaluator online (serial-001).
    func insert(with statement: Statement, at now: Double, caseOpenedAt: Double? = nil, evaluatorOfflineAt: Double? = nil) throws {
        let e = evaluation
        try persons.withUnsafeBufferPointer { persons in
            defer { statement.reset() }
            try statement.bindText(1, id)
            try statement.bindInt(2, e.satisfaction.rawValue)
            try statement.bindInt(3, e.isBadReview ? 1 : 0)
            try statement.bindInt(4, e.evaluationType.rawValue)
            try statement.bindDouble(5, e.assessedAt.timeIntervalSinceReferenceDate)
            try statement.bindInt(6, e.assessNumber.rawValue)
            try statement.bindInt(7, e.pf.rawValue)
            try statement.bindText(8, e.areaCode)
            try statement.bindText(9, e.deptCode)
            try statement.bindText(10, e.deptName)
            try statement.bindText(11, e.hallCode)
            try statement.bindText(12, e.windowCode)
            try statement.bindText(13, e.deviceId)
            try statement.bindText(14, e.projectNo)
            try statement.bindText(15, e.taskCode)
            try statement.bindText(16, e.taskName)
            try statement.bindPinnedText(17, persons)
            try statement.bindText(18, e.recordedTime?.bootID)
            try statement.bindOptionalDouble(19, e.recordedTime?.boot)
            try statement.bindOptionalInt(20, e.recordedTime.map { $0.trusted ? 1 : 0 })
            try statement.bindText(21, e.evaluator?.userName.revealed)
            try statement.bindText(22, e.evaluator?.certKey.revealed)
            try statement.bindOptionalInt(23, e.evaluator?.userProp.rawValue)
            try statement.bindInt(24, recordBytes)
            try statement.bindDouble(25, now)
            try statement.bindOptionalDouble(26, caseOpenedAt)
            try NationalColumns.bind(e, to: statement, from: 27)
            // Held for its reasons: first due when the detail window ends
            // (`attachDetail` makes it due at once).
            try statement.bindDouble(41, max(now, e.heldUntil?.timeIntervalSince1970 ?? now))
            try statement.bindOptionalDouble(42, evaluatorOfflineAt)
            try statement.step()
        }
    }

    /// The columns `decode` reads, in order; a SELECT or RETURNING lists them
    /// at some offset and passes it.
    static let columns = """
        evaluation_id, rating, evaluation_type, assessed_ref, assess_number, pf, area_code, dept_code, dept_name, hall_code, \
        window_code, device_id, project_no, task_code, task_name, evaluated_persons, recorded_boot_id, recorded_boot, \
        recorded_trusted, evaluator_name, evaluator_cert_key, evaluator_user_prop, \(NationalColumns.names)
        """
    static let columnCount: Int32 = 22 + NationalColumns.count

    /// The evaluation in `row`'s columns from `first` on (`columns`). A value
    /// the types cannot hold (a rating of 7, an unknown evaluation type, broken
    /// persons JSON) throws, and `claim` dead-letters the record with the reason.
    static func decode(_ row: Statement, from first: Int32 = 0) throws -> Evaluation {
        func text(_ i: Int32) -> String? { row.column(first + i, as: String.self) }
        func int(_ i: Int32) -> Int? { row.column(first + i, as: Int.self) }
        func required<T>(_ value: T?, _ name: String) throws -> T {
            guard let value else { throw QueueError.unreadable("stored record \(text(0) ?? "?"): \(name) missing or invalid") }
            return value
        }
        let id = try required(text(0).flatMap(EvaluationID.init), "evaluation_id")
        var evaluation = Evaluation(
            evaluationId: id,
            satisfaction: try required(int(1).flatMap(Rating.init(rawValue:)), "rating"),
            evaluationType: try required(int(2).flatMap(EvaluationType.init(rawValue:)), "evaluation_type"),
            assessedAt: Date(timeIntervalSinceReferenceDate: try required(row.column(first + 3, as: Double.self), "assessed_ref")),
            assessNumber: try required(int(4).flatMap(AssessNumber.init(rawValue:)), "assess_number"),
            pf: Channel(rawValue: try required(int(5), "pf")),
            areaCode: try required(text(6), "area_code"),
            deptCode: text(7), deptName: text(8), hallCode: text(9),
            windowCode: try required(text(10), "window_code"),
            deviceId: try required(text(11), "device_id"),
            projectNo: text(12), taskCode: text(13), taskName: text(14),
            evaluatedPersons: try EvaluationJSON.readPersons(text(15) ?? "[]"))
        if let bootID = text(16), let boot = row.column(first + 17, as: Double.self), let trusted = int(18) {
            evaluation.recordedTime = RecordedTime(bootID: bootID, boot: boot, trusted: trusted != 0)
        }
        if let name = text(19), let cert = text(20) {
            evaluation.evaluator = Evaluator(userName: PersonalData(name), certKey: PersonalData(cert),
                                             userProp: try required(int(21).flatMap(UserProperty.init(rawValue:)), "evaluator_user_prop"))
        }
        try NationalColumns.decode(row, from: first + 22, into: &evaluation)
        return evaluation
    }
}
