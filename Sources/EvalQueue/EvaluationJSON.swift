import EvalCore
import Foundation
import Synchronization

/// The one JSON value a queue row holds: the list of staff rated
/// (`evaluated_persons`), read and written whole. Written by hand (the insert
/// is the hot path; `JSONEncoder` costs several times more), read with
/// `JSONDecoder` (claim and operator reads only), so what is written is
/// checked by the reference decoder in the tests.
enum EvaluationJSON {
    static func persons(_ persons: [StaffMember]) -> [UInt8] {
        guard !persons.isEmpty else { return Array("[]".utf8) }
        var out = JSONBytes()
        out.raw("[")
        for (index, person) in persons.enumerated() {
            out.raw(index == 0 ? "{\"loginName\":" : ",{\"loginName\":")
            out.string(person.loginName)
            out.field("name", person.name)
            out.raw("}")
        }
        out.raw("]")
        return out.bytes
    }

    /// Decoded once per distinct list: a window's records name the same
    /// staff again and again, so `claim` of a backlog parses a handful of
    /// lists, not one per record (JSONDecoder was most of claim's CPU when
    /// whole records were JSON).
    static func readPersons(_ text: String) throws -> [StaffMember] {
        if text == "[]" { return [] }
        if let known = personsCache.withLock({ $0[text] }) { return known }
        let persons = try JSONDecoder().decode([StaffMember].self, from: Data(text.utf8))
        personsCache.withLock { cache in
            if cache.count >= 256 { cache.removeAll(keepingCapacity: true) }
            cache[text] = persons
        }
        return persons
    }

    private static let personsCache = Mutex<[String: [StaffMember]]>([:])
}

/// A UTF-8 byte buffer: appending bytes is several times cheaper than growing
/// a `String` piece by piece.
private struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(640) }

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
