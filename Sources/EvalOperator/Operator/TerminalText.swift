/// Text from outside — a USB descriptor string, the platform's `reason`, a
/// scan, a staff name — printed to an operator's terminal. Escape sequences
/// in it would reach root's terminal (retitle it, move the cursor, rewrite
/// what is shown), so every such string goes through `escaped` before
/// evalctl prints it: C0 and C1 controls, DEL and the bidirectional
/// overrides become visible `\u{…}` escapes; everything else, Chinese
/// included, is left as it is. JSON output needs nothing more (its encoder
/// escapes controls).
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        // LRE…RLO, LRI…PDI: reorder what the operator reads ("Trojan source").
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
