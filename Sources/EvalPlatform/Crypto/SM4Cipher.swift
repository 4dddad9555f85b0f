import COpenSSL

/// SM4 (GB/T 32907) block encryption with PKCS#7 padding, CBC or ECB, through
/// the system OpenSSL 3: the body encryption some provinces ask for.
public struct SM4Cipher: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case cbc, ecb
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let mode: Mode
    private let key: [UInt8]
    private let iv: [UInt8]

    /// - Parameters: key: 16 bytes; iv: 16 bytes for CBC, ignored for ECB.
    public init(mode: Mode, key: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 16)) throws {
        guard key.count == 16 else { throw Failure(description: "an SM4 key is 16 bytes, got \(key.count)") }
        guard mode == .ecb || iv.count == 16 else { throw Failure(description: "an SM4-CBC IV is 16 bytes, got \(iv.count)") }
        self.mode = mode
        self.key = key
        self.iv = iv
    }

    public func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] { try run(plaintext, encrypt: true) }
    public func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] { try run(ciphertext, encrypt: false) }

    private func run(_ input: [UInt8], encrypt: Bool) throws -> [UInt8] {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw Failure(description: "out of memory") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let cipher = mode == .cbc ? EVP_sm4_cbc() : EVP_sm4_ecb()
        // ECB ignores the IV.
        guard EVP_CipherInit_ex(ctx, cipher, nil, key, iv, encrypt ? 1 : 0) == 1 else {
            throw Failure(description: "SM4 init: \(openSSLErrorText())")
        }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let padded = input + [0]  // a non-nil pointer for an empty input; the length excludes it
        let ok = out.withUnsafeMutableBufferPointer { o in
            guard EVP_CipherUpdate(ctx, o.baseAddress, &written, padded, Int32(input.count)) == 1 else { return false }
            return EVP_CipherFinal_ex(ctx, o.baseAddress! + Int(written), &final) == 1
        }
        guard ok else {
            throw Failure(description: encrypt ? "SM4 encryption failed: \(openSSLErrorText())"
                                               : "SM4 decryption failed (wrong key or padding): \(openSSLErrorText())")
        }
        return Array(out.prefix(Int(written + final)))
    }
}
