import EvalCore
import Foundation

/// Reads back the JSON that `EvaluationJSON` writes, by hand.
///
/// Why not `JSONDecoder`: on Linux it was the largest single CPU cost of
/// draining the queue (15–24 % of the draining process, one decoder per
/// claimed record). This reader knows the exact shape: one flat object per
/// evaluation, the evaluated persons as an array of two-string objects, the
/// evaluator as a flat object in its own column. Keys may come in any order;
/// anything else it does not expect (an unknown or repeated key, `null`, a
/// fraction where an integer belongs, a missing required field, trailing
/// bytes) is `nil`, and the caller then asks `JSONDecoder`, so a record that
/// neither can read takes the same dead-letter path as before.
enum EvaluationJSONReader {
    static func evaluation(_ payload: String) -> Evaluation? {
        var payload = payload
        return payload.withUTF8 { bytes in
            var reader = JSONByteReader(bytes)
            guard let evaluation = reader.evaluation(), reader.atEnd else { return nil }
            return evaluation
        }
    }

    static func evaluator(_ personalData: String) -> Evaluator? {
        var personalData = personalData
        return personalData.withUTF8 { bytes in
            var reader = JSONByteReader(bytes)
            guard let evaluator = reader.evaluator(), reader.atEnd else { return nil }
            return evaluator
        }
    }
}

/// A cursor over UTF-8 JSON; every method returns `nil` on anything unexpected.
private struct JSONByteReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func evaluation() -> Evaluation? {
        var id: EvaluationID?, satisfaction: Rating?, type: EvaluationType?, assessedAt: Date?
        var assessNumber: AssessNumber?, pf: Channel?, areaCode: String?, deptCode: String?
        var deptName: String?, hallCode: String?, windowCode: String?, deviceId: String?
        var projectNo: String?, taskCode: String?, taskName: String?, persons: [StaffMember]?
        var recorded: RecordedTime?
        let complete = object { key, reader in
            switch key {
            case "evaluationId": return Self.once(&id, reader.string().flatMap(Self.evaluationID))
            case "satisfaction": return Self.once(&satisfaction, reader.integer().flatMap(Rating.init(rawValue:)))
            case "evaluationType": return Self.once(&type, reader.integer().flatMap(EvaluationType.init(rawValue:)))
            case "assessedAt": return Self.once(&assessedAt, reader.double().map(Date.init(timeIntervalSinceReferenceDate:)))
            case "assessNumber": return Self.once(&assessNumber, reader.integer().flatMap(AssessNumber.init(rawValue:)))
            case "pf": return Self.once(&pf, reader.integer().map(Channel.init(rawValue:)))
            case "areaCode": return Self.once(&areaCode, reader.string())
            case "deptCode": return Self.once(&deptCode, reader.string())
            case "deptName": return Self.once(&deptName, reader.string())
            case "hallCode": return Self.once(&hallCode, reader.string())
            case "windowCode": return Self.once(&windowCode, reader.string())
            case "deviceId": return Self.once(&deviceId, reader.string())
            case "projectNo": return Self.once(&projectNo, reader.string())
            case "taskCode": return Self.once(&taskCode, reader.string())
            case "taskName": return Self.once(&taskName, reader.string())
            case "evaluatedPersons": return Self.once(&persons, reader.staffMembers())
            case "recordedTime": return Self.once(&recorded, reader.recordedTime())
            default: return false
            }
        }
        guard complete, let id, let satisfaction, let type, let assessedAt, let assessNumber, let pf,
              let areaCode, let windowCode, let deviceId, let persons else { return nil }
        return Evaluation(
            evaluationId: id, satisfaction: satisfaction, evaluationType: type, assessedAt: assessedAt,
            assessNumber: assessNumber, pf: pf, areaCode: areaCode, deptCode: deptCode, deptName: deptName,
            hallCode: hallCode, windowCode: windowCode, deviceId: deviceId, projectNo: projectNo,
            taskCode: taskCode, taskName: taskName, evaluatedPersons: persons, recordedTime: recorded)
    }

    private mutating func recordedTime() -> RecordedTime? {
        var bootID: String?, boot: Double?, trusted: Bool?
        let complete = object { key, reader in
            switch key {
            case "bootID": return Self.once(&bootID, reader.string())
            case "boot": return Self.once(&boot, reader.double())
            case "trusted": return Self.once(&trusted, reader.boolean())
            default: return false
            }
        }
        guard complete, let bootID, let boot, let trusted else { return nil }
        return RecordedTime(bootID: bootID, boot: boot, trusted: trusted)
    }

    private mutating func boolean() -> Bool? {
        skipSpace()
        for (word, value) in [("true", true), ("false", false)] {
            let utf8 = Array(word.utf8)
            if bytes.count - index >= utf8.count, zip(bytes[index..<(index + utf8.count)], utf8).allSatisfy({ $0 == $1 }) {
                index += utf8.count
                return value
            }
        }
        return nil
    }

    mutating func evaluator() -> Evaluator? {
        var userName: String?, certKey: String?, userProp: UserProperty?
        let complete = object { key, reader in
            switch key {
            case "userName": return Self.once(&userName, reader.string())
            case "certKey": return Self.once(&certKey, reader.string())
            case "userProp": return Self.once(&userProp, reader.integer().flatMap(UserProperty.init(rawValue:)))
            default: return false
            }
        }
        guard complete, let userName, let certKey, let userProp else { return nil }
        return Evaluator(userName: PersonalData(userName), certKey: PersonalData(certKey), userProp: userProp)
    }

    private mutating func staffMembers() -> [StaffMember]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var members: [StaffMember] = []
        if consume(UInt8(ascii: "]")) { return members }
        repeat {
            var loginName: String?, name: String?
            let complete = object { key, reader in
                switch key {
                case "loginName": return Self.once(&loginName, reader.string())
                case "name": return Self.once(&name, reader.string())
                default: return false
                }
            }
            guard complete, let loginName, let name else { return nil }
            members.append(StaffMember(loginName: loginName, name: name))
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? members : nil
    }

    /// Sets `slot` to `value` unless it is already set or the value is unreadable.
    private static func once<T>(_ slot: inout T?, _ value: T?) -> Bool {
        guard slot == nil, let value else { return false }
        slot = value
        return true
    }

    /// `{ "key": value, … }`; `member` reads one value and says whether it was acceptable.
    private mutating func object(_ member: (String, inout JSONByteReader) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), consume(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard member(key, &self) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A JSON integer: optional minus, digits, nothing else.
    private mutating func integer() -> Int? {
        skipSpace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value = 0
        while index < bytes.count, case let digit = bytes[index], digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            index += 1
        }
        guard index > start else { return nil }
        // A fraction or exponent here is not what the writer produces.
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return negative ? -value : value
    }

    /// A JSON number as `Double` (the writer uses `Double.description`, which
    /// `Double(_:)` reads back exactly).
    private mutating func double() -> Double? {
        skipSpace()
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                guard index > start else { return nil }
                return Self.finite(Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)))
            }
        }
        guard index > start else { return nil }
        return Self.finite(Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)))
    }

    private static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// A JSON string literal; the common case (no escape) is one copy.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case 0..<0x20:
                return nil
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }

    /// The four hex digits after `\u`, and a low surrogate after a high one.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(unit) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(unit)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[index]) else { return nil }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The canonical 8-4-4-4-12 form (either case), without Foundation's parser.
    private static func evaluationID(_ text: String) -> EvaluationID? {
        var text = text
        return text.withUTF8 { utf8 -> EvaluationID? in
            guard utf8.count == 36 else { return nil }
            var raw = [UInt8](repeating: 0, count: 16)
            var out = 0
            var position = 0
            while position < 36 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard utf8[position] == UInt8(ascii: "-") else { return nil }
                    position += 1
                    continue
                }
                guard let high = hexValue(utf8[position]), let low = hexValue(utf8[position + 1]) else { return nil }
                raw[out] = high << 4 | low
                out += 1
                position += 2
            }
            let uuid = UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                                   raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
            return EvaluationID(uuid: uuid)
        }
    }
}
