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

    /// RFC 4180 CSV with a UTF-8 BOM so that Excel/WPS show the Chinese names.
    public static func csv(_ items: [Item], reveal: Bool) -> String {
        var out = "\u{FEFF}" + columns.joined(separator: ",") + "\r\n"
        for item in items {
            out += fields(item, reveal: reveal).map(csvField).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// One JSON object per line.
    public static func jsonLines(_ items: [Item], reveal: Bool) -> String {
        var out = ""
        for item in items {
            let object = Dictionary(uniqueKeysWithValues: zip(columns, fields(item, reveal: reveal)))
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        return out
    }

    static func csvField(_ value: String) -> String {
        // A leading = + - @ would be a formula in a spreadsheet: quote it off.
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
