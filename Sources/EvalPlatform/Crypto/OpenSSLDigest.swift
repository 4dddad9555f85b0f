import COpenSSL

/// Digests and HMACs through the system OpenSSL 3 (libcrypto): SM3, the
/// national hash several provinces sign with, beside SHA-256 for symmetry.
/// swift-crypto has no SM3; OpenSSL has had it since 1.1.1.
public enum OpenSSLDigest: String, Sendable, CaseIterable {
    case sm3
    case sha256

    var md: OpaquePointer? {
        switch self {
        case .sm3: EVP_sm3()
        case .sha256: EVP_sha256()
        }
    }

    /// The digest of `data` (32 bytes for both).
    public func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let padded = data + [0]  // a non-nil pointer for empty data; the length excludes it
        let ok = EVP_Digest(padded, data.count, &out, &length, md, nil)
        // Fails only if libcrypto was built without the algorithm: a broken install.
        precondition(ok == 1, "OpenSSL has no \(rawValue) digest")
        return Array(out.prefix(Int(length)))
    }

    /// HMAC(key, data) with this digest (RFC 2104; HMAC-SM3 is GB/T 15852.2's).
    public func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // HMAC() wants non-nil pointers even for empty inputs: pad, pass the true length.
        let keyBytes = key + [0], dataBytes = data + [0]
        let result = HMAC(md, keyBytes, Int32(key.count), dataBytes, data.count, &out, &length)
        precondition(result != nil, "OpenSSL HMAC-\(rawValue) failed")
        return Array(out.prefix(Int(length)))
    }
}

/// The first queued OpenSSL error as text, for messages (then the queue is cleared).
func openSSLErrorText() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "unknown OpenSSL error" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
