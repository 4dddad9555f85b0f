import EvalCore
import Foundation

/// The key material a definition needs, read once: the app key, the secret
/// (HMAC key, or the PEM SM2 key for sm2-sm3), the SM4 cipher.
struct DefinitionKeys: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let appKey: String
    let secretBytes: [UInt8]
    /// Private (evald) or public (platform-sim) SM2 key.
    let sm2: SM2Key?
    let sm4: SM4Cipher?

    /// No keys yet (the receiver sets them).
    init(appKey: String) {
        self.appKey = appKey
        secretBytes = []
        sm2 = nil
        sm4 = nil
    }

    init(definition: AdapterDefinition, appKey: String, secret: AppSecret, sm2PublicKeyPEM: String? = nil) throws {
        self.appKey = appKey
        secretBytes = secret.revealedBytes
        if definition.signature?.algorithm == .sm2SM3 {
            if let sm2PublicKeyPEM {
                sm2 = try SM2Key(pem: sm2PublicKeyPEM)
            } else {
                do { sm2 = try SM2Key(pem: String(decoding: secret.revealedBytes, as: UTF8.self)) } catch {
                    throw Failure(description: "adapter \(definition.name) signs with sm2-sm3: the app secret file must hold a PEM SM2 private key (\(error))")
                }
            }
        } else {
            sm2 = nil
        }
        if let encryption = definition.encryption {
            let hex: String
            switch encryption.key {
            case .secretHex: hex = String(decoding: secret.revealedBytes, as: UTF8.self)
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read the SM4 key file \(path)") }
                hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let key = Hex.decode(hex.lowercased()), key.count == 16 else {
                throw Failure(description: "the SM4 key must be 32 hex digits (16 bytes)")
            }
            sm4 = try SM4Cipher(mode: encryption.mode, key: key, iv: encryption.iv)
        } else {
            sm4 = nil
        }
    }
}
