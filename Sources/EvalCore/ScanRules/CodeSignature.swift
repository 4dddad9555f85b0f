/// The message authentication a signed scan rule checks. EvalCore computes no
/// cryptography and reads no key: the daemon and evalctl hand it one made from
/// the hall's code key (`HMACCodeAuthenticator`, EvalOperator), and tests may
/// hand it any deterministic function.
public protocol CodeAuthenticator: Sendable {
    /// The full authentication code of `message` (HMAC-SHA256: 32 bytes).
    func authenticationCode(for message: [UInt8]) -> [UInt8]
}

/// A signed counter code: `<payload>~<signature>`, the signature the first
/// `byteCount` bytes of the HMAC of the payload's UTF-8 bytes (everything
/// before the last `~`), as `2 × byteCount` hex digits, printed lowercase and
/// read in either case (a keyboard-wedge scanner may type capitals).
///
/// 64 bits: a forger must guess one of 2^64 values, and every guess is a
/// QR code shown to a scanner at a counter, under a camera; 16 characters
/// keep a staff badge's QR code at version 3–4.
public enum CodeSignature {
    public static let separator: Character = "~"
    public static let byteCount = 8

    /// `payload` with its signature appended.
    public static func sign(_ payload: String, with authenticator: any CodeAuthenticator) -> String {
        let code = authenticationCode(of: Substring(payload), authenticator)
        return payload + String(separator) + Hex.encode(code)
    }

    /// The payload split at its last `~`: the signed text and the signature
    /// as written (nil when there is no `~`).
    public static func split(_ payload: String) -> (body: Substring, signature: Substring?) {
        guard let index = payload.lastIndex(of: separator) else { return (Substring(payload), nil) }
        return (payload[..<index], payload[payload.index(after: index)...])
    }

    /// Whether `signature` is the code of `body`. The computed code and the
    /// written one are compared in constant time (`ConstantTime.equal`): how
    /// long a refusal takes says nothing of how many leading bytes were right.
    public static func isAuthentic(body: Substring, signature: Substring?, with authenticator: any CodeAuthenticator) -> Bool {
        let expected = authenticationCode(of: body, authenticator)
        guard let signature, let written = Hex.decode(signature), written.count == byteCount else { return false }
        return ConstantTime.equal(expected, written)
    }

    static func authenticationCode(of body: Substring, _ authenticator: any CodeAuthenticator) -> [UInt8] {
        Array(authenticator.authenticationCode(for: Array(body.utf8)).prefix(byteCount))
    }
}

/// Comparison whose time depends only on the lengths, never on where the
/// contents first differ.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
