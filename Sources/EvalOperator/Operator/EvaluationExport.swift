import EvalCore
import Foundation

/// `evalctl export`: evaluations as CSV (for a spreadsheet) or JSON lines
/// (for scripts). Personal data stays masked unless `reveal` is set, and the
/// caller logs that it was.
public enum EvaluationExport {
    public enum Format: String, Sendable, CaseIterable {
        case csv, json
    }

    public struct Item: Sendable {
        public var evaluation: Evaluation
        public var state: String
        public var deliveredAt: Date?

        public init(evaluation: Evaluation, state: String, deliveredAt: Date?) {
            self.evaluation = evaluation
            self.state = state
            self.deliveredAt = deliveredAt
        }
    }

    public static let columns = [
        "evaluationId", "assessTime", "satisfaction", "satisfactionName", "evaluationType", "assessNumber", "pf",
        "areaCode", "deptCode", "deptName", "hallCode", "windowCode", "deviceId", "projectNo", "taskCode", "taskName",
        "staff", "anonymityFlag", "userName", "certKey", "state", "deliveredAt",
    ]

    public static func fields(_ item: Item, reveal: Bool) -> [String] {
        let e = item.evaluation
        return [
            e.evaluationId.description, e.assessTime, String(e.satisfaction.rawValue), e.satisfaction.chineseName,
            String(e.evaluationType.rawValue), String(e.assessNumber.rawValue), String(e.pf.rawValue),
            e.areaCode, e.deptCode ?? "", e.deptName ?? "", e.hallCode ?? "", e.windowCode, e.deviceId,
            e.projectNo ?? "", e.taskCode ?? "", e.taskName ?? "",
            e.evaluatedPersons.map { "\($0.loginName):\($0.name)" }.joined(separator: ";"),
            String(e.anonymityFlag.rawValue),
            e.evaluator.map { reveal ? $0.userName.revealed : $0.userName.masked } ?? "",
            e.evaluator.map { reveal ? $0.certKey.revealed : $0.certKey.masked } ?? "",
            item.state, item.deliveredAt.map { ShanghaiTime.format($0) } ?? "",
        ]
    }

    /// Code columns a spreadsheet would turn into numbers: an 18-digit ID
    /// number becomes 1.10101E+17 (digits after the 15th lost), `0101`
    /// becomes 101.
    public static let textColumns: Set<String> = [
        "areaCode", "deptCode", "hallCode", "windowCode", "deviceId", "projectNo", "taskCode", "certKey",
    ]

    /// RFC 4180 CSV with a UTF-8 BOM so that Excel/WPS show the Chinese names.
    /// A code that looks like a number gets a leading tab, which Excel and
    /// WPS read as text and keep digit for digit (docs/cli-json.md: why not `="…"`).
    public static func csv(_ items: [Item], reveal: Bool) -> String {
        var out = "\u{FEFF}" + columns.joined(separator: ",") + "\r\n"
        for item in items {
            let row = zip(columns, fields(item, reveal: reveal)).map { column, value in
                csvField(textColumns.contains(column) && looksNumeric(value) ? "\t" + value : value)
            }
            out += row.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// Digits, optionally ending in the ID-number check letter X.
    public static func looksNumeric(_ value: String) -> Bool {
        guard let first = value.first, first.isASCIIDigit else { return false }
        return value.dropLast().allSatisfy(\.isASCIIDigit) && (value.last!.isASCIIDigit || value.last == "X" || value.last == "x")
    }

    /// One JSON object per line, values typed (docs/cli-json.md).
    public static func jsonLines(_ items: [Item], reveal: Bool) -> String {
        var out = ""
        for item in items {
            let data = (try? JSONSerialization.data(withJSONObject: jsonObject(item, reveal: reveal),
                                                    options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        return out
    }

    /// Numbers as numbers, absent as null, instants RFC 3339 (`assessTime`
    /// keeps the platform's local `yyyy-MM-dd HH:mm:ss` beside `assessedAt`).
    public static func jsonObject(_ item: Item, reveal: Bool) -> [String: Any] {
        let e = item.evaluation
        let null = NSNull()
        return [
            "evaluationId": e.evaluationId.description,
            "assessedAt": RFC3339.string(e.assessedAt),
            "assessTime": e.assessTime,
            "satisfaction": e.satisfaction.rawValue,
            "satisfactionName": e.satisfaction.chineseName,
            "badReview": e.isBadReview,
            "evaluationType": e.evaluationType.rawValue,
            "assessNumber": e.assessNumber.rawValue,
            "pf": e.pf.rawValue,
            "areaCode": e.areaCode,
            "deptCode": e.deptCode ?? null, "deptName": e.deptName ?? null, "hallCode": e.hallCode ?? null,
            "windowCode": e.windowCode, "deviceId": e.deviceId,
            "projectNo": e.projectNo ?? null, "taskCode": e.taskCode ?? null, "taskName": e.taskName ?? null,
            "evaluatedPersons": e.evaluatedPersons.map { ["loginName": $0.loginName, "name": $0.name] },
            "anonymityFlag": e.anonymityFlag.rawValue,
            "userName": e.evaluator.map { reveal ? $0.userName.revealed : $0.userName.masked } ?? null,
            "certKey": e.evaluator.map { reveal ? $0.certKey.revealed : $0.certKey.masked } ?? null,
            "state": item.state,
            "deliveredAt": item.deliveredAt.map(RFC3339.string) ?? null,
        ]
    }

    static func csvField(_ value: String) -> String {
        // A leading = + - @ would be a formula in a spreadsheet: quote it off.
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
