import Crypto
import EvalCore
import Foundation

/// HMAC-SHA256 under the hall's code key: what signed scan rules check
/// (the daemon) and what `evalctl codes` signs with. The key stays in here;
/// EvalCore sees only the `CodeAuthenticator` protocol.
public struct HMACCodeAuthenticator: CodeAuthenticator {
    // Bytes, not a SymmetricKey (not Sendable): the key is made per code, a few scans a minute.
    private let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
