import COpenSSL

/// An SM2 key (GB/T 32918) from PEM, signing or verifying SM2-with-SM3 with
/// the distinguishing ID OpenSSL 3 needs set explicitly (the default
/// "1234567812345678" of GM/T 0009; OpenSSL 3 otherwise uses an empty ID and
/// no other implementation would verify). Signatures are DER, as
/// `openssl dgst -sm3 -sign` writes them.
///
/// Unchecked: it holds an OpenSSL `EVP_PKEY`, which is never modified after
/// `init` and which OpenSSL 3 allows to be used from several threads at once
/// (each sign or verify makes its own `EVP_MD_CTX`).
public final class SM2Key: @unchecked Sendable {
    public static let defaultID = Array("1234567812345678".utf8)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Owned EVP_PKEY; immutable after init, and OpenSSL 3 allows concurrent
    /// use of one EVP_PKEY for signing from several threads.
    private let pkey: OpaquePointer
    public let hasPrivateKey: Bool
    public let id: [UInt8]

    /// A private key (`-----BEGIN PRIVATE KEY-----`, PKCS#8) or a public key
    /// (`-----BEGIN PUBLIC KEY-----`); anything else, or a non-SM2 key, throws.
    public init(pem: String, id: [UInt8] = SM2Key.defaultID) throws {
        let bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeBufferPointer({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw Failure(description: "out of memory")
        }
        defer { BIO_free(bio) }
        var key: OpaquePointer?
        var isPrivate = false
        if pem.contains("PRIVATE KEY") {
            key = PEM_read_bio_PrivateKey(bio, nil, nil, nil)
            isPrivate = true
        } else {
            key = PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key else { throw Failure(description: "not a PEM SM2 key: \(openSSLErrorText())") }
        guard EVP_PKEY_is_a(key, "SM2") == 1 else {
            EVP_PKEY_free(key)
            throw Failure(description: "the PEM key is not an SM2 key")
        }
        pkey = key
        hasPrivateKey = isPrivate
        self.id = id
    }

    deinit { EVP_PKEY_free(pkey) }

    /// DER signature of SM3(Z ‖ message), Z from the ID and the public key.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard hasPrivateKey else { throw Failure(description: "signing needs an SM2 private key") }
        return try withDigestContext(sign: true) { mctx in
            var length = 0
            guard EVP_DigestSign(mctx, nil, &length, message, message.count) == 1 else {
                throw Failure(description: "SM2 sign: \(openSSLErrorText())")
            }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(mctx, &signature, &length, message, message.count) == 1 else {
                throw Failure(description: "SM2 sign: \(openSSLErrorText())")
            }
            return Array(signature.prefix(length))
        }
    }

    public func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        (try? withDigestContext(sign: false) { mctx in
            EVP_DigestVerify(mctx, signature, signature.count, message, message.count) == 1
        }) ?? false
    }

    private func withDigestContext<T>(sign: Bool, _ body: (OpaquePointer) throws -> T) throws -> T {
        guard let mctx = EVP_MD_CTX_new() else { throw Failure(description: "out of memory") }
        defer { EVP_MD_CTX_free(mctx) }
        guard let pctx = EVP_PKEY_CTX_new(pkey, nil) else { throw Failure(description: "SM2 context: \(openSSLErrorText())") }
        // The MD context takes ownership only once set; free it ourselves on failure before that.
        guard EVP_PKEY_CTX_set1_id(pctx, id, Int32(id.count)) == 1 else {
            EVP_PKEY_CTX_free(pctx)
            throw Failure(description: "SM2 ID: \(openSSLErrorText())")
        }
        EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
        let ok = sign ? EVP_DigestSignInit(mctx, nil, EVP_sm3(), nil, pkey) : EVP_DigestVerifyInit(mctx, nil, EVP_sm3(), nil, pkey)
        guard ok == 1 else {
            EVP_MD_CTX_set_pkey_ctx(mctx, nil)
            EVP_PKEY_CTX_free(pctx)
            throw Failure(description: "SM2 init: \(openSSLErrorText())")
        }
        defer {
            // EVP_MD_CTX_set_pkey_ctx leaves ownership with the caller.
            EVP_MD_CTX_set_pkey_ctx(mctx, nil)
            EVP_PKEY_CTX_free(pctx)
        }
        return try body(mctx)
    }
}
