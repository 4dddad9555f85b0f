/// Text that goes into the audit trail (table and mirror) can never break a
/// line or hide what it says: every control character (C0, DEL, C1), Unicode
/// format character (bidi overrides, zero-width joiners) and line or
/// paragraph separator becomes `\u{…}`, and a backslash becomes `\\`, so an
/// escape in the output always came from this function. With `spaces`, white
/// space is escaped too: a name then stays one `key=value` field of a line.
public enum AuditText {
    public static func escape(_ text: String, spaces: Bool = false) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            case .spaceSeparator where spaces:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                if scalar == "\\" { out += "\\\\" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
