import EvalCore
import Foundation

/// Writes the queue's stored JSON for an evaluation by hand.
///
/// Why not `JSONEncoder`: on Linux it costs ~15 µs per evaluation, which alone
/// would use more than both cores of a counter PC at the queue's target rate;
/// this costs ~1 µs. The output is exactly what `JSONDecoder` reads back into
/// `Evaluation` (dates as seconds since 2001, Foundation's default), and a test
/// compares it field by field with `JSONEncoder`'s, so a field added to
/// `Evaluation` and forgotten here fails the build's tests, not production.
enum EvaluationJSON {
    /// The evaluation without its evaluator (stored in a column of its own).
    /// `id` is `e.evaluationId.description`, passed in when the caller has it
    /// already (formatting a UUID costs as much as the rest of the payload).
    static func payload(_ e: Evaluation, id: String? = nil) -> String {
        var out = "{"
        out.reserveCapacity(512)
        out += "\"evaluationId\":\"\(id ?? e.evaluationId.description)\""
        out += ",\"satisfaction\":\(e.satisfaction.rawValue)"
        out += ",\"evaluationType\":\(e.evaluationType.rawValue)"
        out += ",\"assessedAt\":\(e.assessedAt.timeIntervalSinceReferenceDate)"
        out += ",\"assessNumber\":\(e.assessNumber.rawValue)"
        out += ",\"pf\":\(e.pf.rawValue)"
        field(&out, "areaCode", e.areaCode)
        field(&out, "deptCode", e.deptCode)
        field(&out, "deptName", e.deptName)
        field(&out, "hallCode", e.hallCode)
        field(&out, "windowCode", e.windowCode)
        field(&out, "deviceId", e.deviceId)
        field(&out, "projectNo", e.projectNo)
        field(&out, "taskCode", e.taskCode)
        field(&out, "taskName", e.taskName)
        out += ",\"evaluatedPersons\":["
        for (index, person) in e.evaluatedPersons.enumerated() {
            out += index == 0 ? "{" : ",{"
            out += "\"loginName\":"
            string(&out, person.loginName)
            field(&out, "name", person.name)
            out += "}"
        }
        out += "]}"
        return out
    }

    /// The evaluator's identity: the only personal data the queue stores.
    static func personalData(_ evaluator: Evaluator) -> String {
        var out = "{\"userName\":"
        string(&out, evaluator.userName.revealed)
        field(&out, "certKey", evaluator.certKey.revealed)
        out += ",\"userProp\":\(evaluator.userProp.rawValue)}"
        return out
    }

    private static func field(_ out: inout String, _ key: String, _ value: String?) {
        guard let value else { return }
        out += ",\"\(key)\":"
        string(&out, value)
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control
    /// characters escaped; everything else, Chinese included, as UTF-8.
    static func string(_ out: inout String, _ value: String) {
        out += "\""
        let needsEscaping = value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !needsEscaping {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
