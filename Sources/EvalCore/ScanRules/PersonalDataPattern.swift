/// Personal data a citizen may show to the scanner by mistake — an ID card, a
/// phone number, a bank card — recognised before any scan rule runs, so it
/// can never become a case, a staff login or a log line (rule 6).
public enum PersonalDataPattern: String, Hashable, Sendable, CaseIterable {
    /// A PRC resident identity number: 18 characters whose last is the
    /// ISO 7064 MOD 11-2 check character, or the old 15-digit form.
    case residentID = "resident-id"
    /// A mainland mobile number (11 digits from 13–19, optionally +86 or tel:).
    case mobile
    /// A bank card number: 16–19 digits with a valid Luhn check digit.
    case bankCard = "bank-card"

    public var description: String {
        switch self {
        case .residentID: "a resident ID number"
        case .mobile: "a mobile number"
        case .bankCard: "a bank card number"
        }
    }

    /// The kind of personal data `text` is, whole (spaces and dashes between
    /// digit groups allowed, as printed on cards), or nil.
    public static func match(_ text: String) -> PersonalDataPattern? {
        var body = Substring(text)
        if body.lowercased().hasPrefix("tel:") { body = body.dropFirst(4) }
        var characters: [UInt8] = []
        characters.reserveCapacity(body.utf8.count)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "+"): characters.append(byte)
            default: return nil
            }
        }
        if isResidentID(characters) { return .residentID }
        if isMobile(characters) { return .mobile }
        if isBankCard(characters) { return .bankCard }
        return nil
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> [Int]? {
        var out: [Int] = []
        for byte in bytes {
            guard let d = digit(byte) else { return nil }
            out.append(d)
        }
        return out
    }

    /// GB/T 2260's province-level codes, the first two digits of every
    /// resident ID: a date-stamped case number (2026…) never starts with one.
    private static let provinces: Set<Int> = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                                              50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]

    static func isResidentID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, let first = digit(bytes[0]), let second = digit(bytes[1]),
              provinces.contains(first * 10 + second) else { return false }
        switch bytes.count {
        case 18:
            guard let body = digits(bytes[0..<17]) else { return false }
            let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
            let sum = zip(body, weights).reduce(0) { $0 + $1.0 * $1.1 }
            let expected = Array("10X98765432".utf8)[sum % 11]
            let last = bytes[17] == UInt8(ascii: "x") ? UInt8(ascii: "X") : bytes[17]
            return last == expected
        case 15:
            // The first generation (before 1999): 6-digit area, yyMMdd, 3-digit sequence.
            guard let all = digits(bytes[...]) else { return false }
            let month = all[8] * 10 + all[9], day = all[10] * 10 + all[11]
            return (1...12).contains(month) && (1...31).contains(day)
        default:
            return false
        }
    }

    static func isMobile(_ bytes: [UInt8]) -> Bool {
        var number = bytes[...]
        if number.first == UInt8(ascii: "+") { number = number.dropFirst() }
        if number.count == 15, number.starts(with: "0086".utf8) { number = number.dropFirst(4) }
        if number.count == 13, number.starts(with: "86".utf8) { number = number.dropFirst(2) }
        guard number.count == 11, let all = digits(number) else { return false }
        return all[0] == 1 && all[1] >= 3
    }

    /// Issuer prefixes of cards issued in China (UnionPay 62, Visa 4,
    /// Mastercard 51–55 and 2221–2720, JCB and Amex 3, domestic 9): a
    /// date-stamped case number (20…) is none of them, so one in ten such
    /// numbers is not refused for passing the Luhn check by chance.
    static func isBankCard(_ bytes: [UInt8]) -> Bool {
        guard (16...19).contains(bytes.count), let all = digits(bytes[...]) else { return false }
        let prefix4 = all[0] * 1000 + all[1] * 100 + all[2] * 10 + all[3]
        guard [3, 4, 5, 6, 9].contains(all[0]) || (2221...2720).contains(prefix4) else { return false }
        var sum = 0
        for (index, value) in all.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
        }
        return sum % 10 == 0
    }
}
