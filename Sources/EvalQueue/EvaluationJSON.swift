import EvalCore
import Foundation

/// Writes the queue's stored JSON for an evaluation by hand.
///
/// Why not `JSONEncoder`: on Linux it costs 15–30 µs per evaluation, which alone
/// would use more than both cores of a counter PC at the queue's target rate;
/// this costs about a sixth of that (measured on the project's VM). The output is exactly what `JSONDecoder` reads back into
/// `Evaluation` (dates as seconds since 2001, Foundation's default), and a test
/// compares it field by field with `JSONEncoder`'s, so a field added to
/// `Evaluation` and forgotten here fails the tests, not production.
enum EvaluationJSON {
    /// The evaluation without its evaluator (stored in a column of its own).
    /// `id` is `e.evaluationId.description`, passed in when the caller has it.
    static func payload(_ e: Evaluation, id: String? = nil) -> String {
        String(decoding: payloadBytes(e, id: id), as: UTF8.self)
    }

    /// The same JSON as UTF-8 bytes, which the queue binds as they are: no
    /// `String` is built (and validated) only to be copied into SQLite.
    static func payloadBytes(_ e: Evaluation, id: String? = nil) -> [UInt8] {
        var out = JSONBytes()
        out.raw("{\"evaluationId\":")
        out.string(id ?? e.evaluationId.description)
        out.raw(",\"satisfaction\":"); out.raw(String(e.satisfaction.rawValue))
        out.raw(",\"evaluationType\":"); out.raw(String(e.evaluationType.rawValue))
        out.raw(",\"assessedAt\":"); out.raw(e.assessedAt.timeIntervalSinceReferenceDate.description)
        out.raw(",\"assessNumber\":"); out.raw(String(e.assessNumber.rawValue))
        out.raw(",\"pf\":"); out.raw(String(e.pf.rawValue))
        out.field("areaCode", e.areaCode)
        out.field("deptCode", e.deptCode)
        out.field("deptName", e.deptName)
        out.field("hallCode", e.hallCode)
        out.field("windowCode", e.windowCode)
        out.field("deviceId", e.deviceId)
        out.field("projectNo", e.projectNo)
        out.field("taskCode", e.taskCode)
        out.field("taskName", e.taskName)
        out.raw(",\"evaluatedPersons\":[")
        for (index, person) in e.evaluatedPersons.enumerated() {
            out.raw(index == 0 ? "{\"loginName\":" : ",{\"loginName\":")
            out.string(person.loginName)
            out.field("name", person.name)
            out.raw("}")
        }
        out.raw("]")
        if let recorded = e.recordedTime {
            out.raw(",\"recordedTime\":{\"bootID\":")
            out.string(recorded.bootID)
            out.raw(",\"boot\":"); out.raw(recorded.boot.description)
            out.raw(recorded.trusted ? ",\"trusted\":true}" : ",\"trusted\":false}")
        }
        out.raw("}")
        return out.bytes
    }

    /// The evaluator's identity: the only personal data the queue stores.
    static func personalData(_ evaluator: Evaluator) -> String {
        var out = JSONBytes()
        out.raw("{\"userName\":")
        out.string(evaluator.userName.revealed)
        out.field("certKey", evaluator.certKey.revealed)
        out.raw(",\"userProp\":"); out.raw(String(evaluator.userProp.rawValue))
        out.raw("}")
        return out.text
    }
}

/// A UTF-8 byte buffer: appending bytes is several times cheaper than growing
/// a `String` piece by piece.
private struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(640) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key.utf8)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        string(value)
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control
    /// characters escaped; everything else, Chinese included, as UTF-8.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Almost every value needs no escape: append it whole, not byte by byte.
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                escaped(utf8)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }
}
