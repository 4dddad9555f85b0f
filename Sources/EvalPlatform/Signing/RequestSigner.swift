import EvalCore
import Crypto
import Foundation

/// `evald-json/1` request signing:
/// `X-Signature` = lowercase hex HMAC-SHA256(app secret,
/// `"POST\n{path}\n{timestamp}\n{nonce}\n{hex sha256 of body}"`).
///
/// The platform simulator verifies with the same type; a hand-computed vector
/// in the tests pins the algorithm so the two cannot drift together.
public struct RequestSigner: Sendable {
    public let appKey: String
    private let secret: AppSecret
    /// SymmetricKey is not Sendable; it is cheap to make per request.
    private var key: SymmetricKey { SymmetricKey(data: secret.revealedBytes) }

    public init(appKey: String, secret: AppSecret) {
        self.appKey = appKey
        self.secret = secret
    }

    public static func canonicalString(method: String, path: String, timestampMillis: Int64, nonce: String, body: [UInt8]) -> String {
        "\(method)\n\(path)\n\(timestampMillis)\n\(nonce)\n\(Hex.encode(SHA256.hash(data: body)))"
    }

    public func signature(method: String = "POST", path: String, timestampMillis: Int64, nonce: String, body: [UInt8]) -> String {
        let message = Self.canonicalString(method: method, path: path, timestampMillis: timestampMillis, nonce: nonce, body: body)
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    /// Constant-time check of a received signature (used by the simulator).
    public func isValid(signature: String, method: String = "POST", path: String, timestampMillis: Int64, nonce: String, body: [UInt8]) -> Bool {
        guard let mac = Hex.decode(signature.lowercased()), mac.count == SHA256.byteCount else { return false }
        let message = Self.canonicalString(method: method, path: path, timestampMillis: timestampMillis, nonce: nonce, body: body)
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(message.utf8), using: key)
    }

    public func headers(method: String, path: String, timestampMillis: Int64, nonce: String, body: [UInt8]) -> [HeaderField] {
        [
            HeaderField("X-App-Key", appKey),
            HeaderField("X-Timestamp", String(timestampMillis)),
            HeaderField("X-Nonce", nonce),
            HeaderField("X-Signature", signature(method: method, path: path, timestampMillis: timestampMillis, nonce: nonce, body: body)),
        ]
    }
}
